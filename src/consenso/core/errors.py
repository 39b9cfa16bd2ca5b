"""The domain error tree. Every error Consenso raises on purpose is one of these.

```
ConsensoError                       code                     meaning
├── NotAuthenticated                not_authenticated        no valid credentials
├── PermissionDenied                permission_denied        authenticated, but the role does not allow it
│   └── Paused                      annotator_paused         paused from a project by gold accuracy
├── NotFound                        not_found                missing, or not visible to the caller
├── InvalidInput                    invalid_input            the request is well-formed but wrong
│   ├── SchemaInvalid               schema_invalid           a label schema breaks the rules
│   ├── ResultInvalid               result_invalid           an annotation result does not fit its schema
│   ├── NoPrediction                no_prediction            a prediction origin on a task without one
│   ├── ReviewInvalid               review_invalid           a verdict without what it needs (comment, fix)
│   ├── AdjudicationInvalid         adjudication_invalid     a decision without what it needs (reasoning)
│   ├── SettingsInvalid             settings_invalid         a project's QA settings out of range or unknown
│   └── ImportInvalid               import_invalid           a record of an import is wrong (line + field)
├── UnsupportedMediaType            unsupported_media_type   a body in a format we do not read
├── PayloadTooLarge                 payload_too_large        a body over the configured limit
├── TooManyAttempts                 too_many_attempts        locked out for a while (``retry_after`` seconds)
└── Conflict                        conflict                 the request contradicts stored state
    ├── AlreadyExists               already_exists           a unique thing exists already
    ├── AlreadyAnnotated            already_annotated        this annotator has annotated this task
    ├── NoFreeSlot                  no_free_slot             the task holds `overlap` annotations + live leases
    └── IdempotencyKeyReused        idempotency_key_reused   the key was used for a different request
```

Each error carries a stable snake_case ``code``, the ``params`` that fill its message in the message
catalog (``consenso.core.messages``, English and Spanish) and optional structured ``details``.
The only place an error becomes an HTTP status is ``consenso.api.errors``.
"""

from __future__ import annotations

from typing import Any


class ConsensoError(Exception):
    """Base of every deliberate Consenso error."""

    code = "error"

    def __init__(
        self,
        message_key: str | None = None,
        /,
        *,
        details: Any = None,
        **params: Any,
    ) -> None:
        self.message_key = message_key or self.code
        self.params = params
        self.details = details
        super().__init__(self.message_key, params)

    def message(self, lang: str = "en") -> str:
        from consenso.core.messages import translate

        params = dict(self.params)
        # a parameter named "<x>_key" is itself a catalog key: "kind_key" fills "{kind}" in the caller's language
        for name, value in self.params.items():
            if name.endswith("_key") and isinstance(value, str):
                params[name[: -len("_key")]] = translate(value, lang)
        return translate(self.message_key, lang, **params)

    def __str__(self) -> str:
        return self.message("en")


class NotAuthenticated(ConsensoError):
    code = "not_authenticated"


class PermissionDenied(ConsensoError):
    code = "permission_denied"


class Paused(PermissionDenied):
    """The annotator is paused from the project (a live ``AnnotatorPause``) until a manager resumes them."""

    code = "annotator_paused"


class NotFound(ConsensoError):
    code = "not_found"


class InvalidInput(ConsensoError):
    code = "invalid_input"


class SchemaInvalid(InvalidInput):
    code = "schema_invalid"


class ResultInvalid(InvalidInput):
    code = "result_invalid"


class AdjudicationInvalid(InvalidInput):
    code = "adjudication_invalid"


class ImportInvalid(InvalidInput):
    code = "import_invalid"


class NoPrediction(InvalidInput):
    code = "no_prediction"


class ReviewInvalid(InvalidInput):
    code = "review_invalid"


class SettingsInvalid(InvalidInput):
    code = "settings_invalid"


class UnsupportedMediaType(ConsensoError):
    code = "unsupported_media_type"


class PayloadTooLarge(ConsensoError):
    code = "payload_too_large"


class TooManyAttempts(ConsensoError):
    """Too many failed attempts: locked out for ``retry_after`` seconds (a param, also sent as Retry-After)."""

    code = "too_many_attempts"


class Conflict(ConsensoError):
    code = "conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class AlreadyAnnotated(Conflict):
    code = "already_annotated"


class NoFreeSlot(Conflict):
    code = "no_free_slot"


class IdempotencyKeyReused(Conflict):
    code = "idempotency_key_reused"
