// Empty on purpose: lets `slither contracts --hardhat-ignore-compile` read artifacts/build-info (written by `rwa-sim contracts build`).
module.exports = {};
