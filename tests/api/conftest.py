from tests.public.conftest import no_technical_test, register  # noqa: F401
