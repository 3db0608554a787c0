"""Figures for the dashboard and the disclosure reports, and their PDF/CSV renderings.

Why a package of its own: the dashboard, the report pages and the API all compute from the
same off-chain queries (`offchain`), the same factor resolution (`factors`) and the same
report builders (`ghg`, `kpi`); `pdf` and `csv` only render what the builders produced.
Nothing here contacts a peer: ledger records (reductions, retirements, governed factor
versions) come from the read model (`ledger`), with its lag stated beside them.
"""
