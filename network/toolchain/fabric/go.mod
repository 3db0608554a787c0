// Fabric v3.1.5: the module path has no /v3 suffix, so the release tag is pinned by its
// pseudo-version (tag commit 86c1172bec37). go.sum is written by the first successful
// download and must then be committed, so every later build is checksummed.
module envalue/toolchain/fabric

go 1.26

tool (
	github.com/hyperledger/fabric/cmd/configtxgen
	github.com/hyperledger/fabric/cmd/orderer
	github.com/hyperledger/fabric/cmd/osnadmin
	github.com/hyperledger/fabric/cmd/peer
)

require github.com/hyperledger/fabric v1.4.0-rc1.0.20260618074816-86c1172bec37
