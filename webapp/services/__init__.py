"""Business operations behind the portal's pages and API.

Routes stay thin: they parse the request and call a function here, passing the acting
`PortalUser` explicitly; these functions call the domain (`envalue.chaincode.domain`),
ingestion (`envalue.ingest_service`), certificates and the ledger (`webapp.gateway`).
"""
