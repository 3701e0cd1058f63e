from tests.public.conftest import _fast_passwords, _fresh_rate_limit, no_technical_test, register  # noqa: F401
