"""The world model: SimPy processes for the asset, issuer, platforms, investors, policy, rails and FX.

The model talks to contracts through `simulator.chain` handles only; it never imports a backend.
"""
