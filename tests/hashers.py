from django.contrib.auth.hashers import Argon2PasswordHasher


class QuickArgon2PasswordHasher(Argon2PasswordHasher):
    """Still Argon2 (the hashes say so and verify with the production hasher), with cheap
    parameters so that a test municipality with a dozen accounts builds in a blink."""

    time_cost = 1
    memory_cost = 256
    parallelism = 1
