"""The IdentityRegistry's enumerations (contracts/src/identity/IdentityRegistry.sol): what the contract suite
registers and what the model's investor classes are registered as. Plain integers, importable without the
chain layer (the scenario schema reads them)."""

# ISO-3166 numeric country codes
CN, HK, KP = 156, 344, 408
SG, GB, US = 702, 826, 840
# investor categories
RETAIL, PROFESSIONAL, INSTITUTIONAL = 0, 1, 2
# channels: direct, CWM Connect southbound, through a nominee
DIRECT, CWM_SOUTHBOUND, NOMINEE = 0, 1, 2
