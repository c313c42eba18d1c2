"""Stripe, behind one small module: the rest of the project sees plain functions and plain data.

- ``client``: the API client set up from settings (``STRIPE_SECRET_KEY``, ``STRIPE_API_BASE``),
  pinned to the installed library's API version, and the few calls the project makes.
- ``verify``: a webhook event's signature, checked on the raw body.
- ``handlers``: one function per event type, turning Stripe's objects into calls to the donors
  services.
"""
