"""Messages of the audit log: the breaks ``consenso audit verify`` and ``GET /api/v1/audit/verify`` name,
the API's refusals and the command line's output."""

MESSAGES: dict[str, dict[str, str]] = {
    # what a verification found (consenso.core.audit.BreakKind)
    "audit_break_edited": {
        "en": "Event {event_id} (#{seq} of {chain}) was edited: its content no longer matches its hash.",
        "es": "El evento {event_id} (n.º {seq} de {chain}) fue modificado: su contenido ya no coincide con "
        "su hash.",
    },
    "audit_break_deleted": {
        "en": "{missing} event(s) of {chain} were deleted before event {event_id} (#{seq}): numbers "
        "#{first_missing} to #{last_missing} are missing and its link points at no stored event.",
        "es": "Se borraron {missing} evento(s) de {chain} antes del evento {event_id} (n.º {seq}): faltan "
        "los números {first_missing} a {last_missing} y su enlace apunta a un evento que no está guardado.",
    },
    "audit_break_inserted": {
        "en": "Event {event_id} (#{seq} of {chain}) was inserted: it is not part of the chain, no event "
        "links to it where it stands.",
        "es": "El evento {event_id} (n.º {seq} de {chain}) fue insertado: no forma parte de la cadena, "
        "ningún evento enlaza con él donde está.",
    },
    "audit_break_reordered": {
        "en": "Event {event_id} (#{seq} of {chain}) is out of order with event {related_event_id} "
        "(#{related_seq}): the events were moved.",
        "es": "El evento {event_id} (n.º {seq} de {chain}) está fuera de orden respecto al evento "
        "{related_event_id} (n.º {related_seq}): los eventos se movieron.",
    },
    "audit_break_broken_link": {
        "en": "Event {event_id} (#{seq} of {chain}) does not link to the event before it (expected previous "
        "hash {expected}…, found {found}…).",
        "es": "El evento {event_id} (n.º {seq} de {chain}) no enlaza con el evento anterior (hash previo "
        "esperado {expected}…, encontrado {found}…).",
    },
    "audit_break_rewritten": {
        "en": "The chain {chain} was rewritten: event {event_id} (#{seq}) has hash {found}… where the anchor "
        "recorded {expected}….",
        "es": "La cadena {chain} fue reescrita: el evento {event_id} (n.º {seq}) tiene el hash {found}… "
        "donde el ancla registró {expected}….",
    },
    "audit_break_truncated": {
        "en": "{missing} event(s) were deleted from the end of {chain}: numbers #{first_missing} to "
        "#{last_missing} are gone although the anchor recorded #{last_missing}.",
        "es": "Se borraron {missing} evento(s) del final de {chain}: faltan los números {first_missing} a "
        "{last_missing} aunque el ancla registró el n.º {last_missing}.",
    },
    # the API
    "audit_forbidden": {
        "en": "Only instance admins and workspace admins may read the audit log.",
        "es": "Solo los administradores de la instancia y de un espacio de trabajo pueden leer el registro "
        "de auditoría.",
    },
    "invalid_time_range": {
        "en": "The time range is empty: 'since' ({since}) is after 'until' ({until}).",
        "es": "El intervalo de tiempo está vacío: 'since' ({since}) es posterior a 'until' ({until}).",
    },
    # the command line
    "cli_audit_help": {
        "en": "Tamper-evident audit log: verify the hash chains, print their heads",
        "es": "Registro de auditoría a prueba de manipulación: verificar las cadenas de hashes, mostrar sus "
        "cabezas",
    },
    "cli_audit_verifying": {"en": "Verifying the audit log", "es": "Verificando el registro de auditoría"},
    "cli_audit_chain_ok": {
        "en": "OK  {chain}: {events} events, unbroken; head #{seq} {hash}",
        "es": "OK  {chain}: {events} eventos, sin rupturas; cabeza n.º {seq} {hash}",
    },
    "cli_audit_chain_broken": {
        "en": "BROKEN  {chain}: {message}",
        "es": "ROTA  {chain}: {message}",
    },
    "cli_audit_verified": {
        "en": "Audit log verified: {chains} chain(s), {events} event(s), no break.",
        "es": "Registro de auditoría verificado: {chains} cadena(s), {events} evento(s), sin rupturas.",
    },
    "cli_audit_broken": {
        "en": "The audit log is broken in {broken} of {chains} chain(s).",
        "es": "El registro de auditoría está roto en {broken} de {chains} cadena(s).",
    },
    "cli_audit_empty": {
        "en": "The audit log holds no events yet.",
        "es": "El registro de auditoría aún no tiene eventos.",
    },
    "cli_audit_head": {
        "en": "{chain}: #{seq} {hash} (event {event_id}, {created_at})",
        "es": "{chain}: n.º {seq} {hash} (evento {event_id}, {created_at})",
    },
    "cli_audit_head_note": {
        "en": "Keep these heads outside this server (--json writes them as a file for `consenso audit verify "
        "--anchors FILE`).",
        "es": "Guarde estas cabezas fuera de este servidor (--json las escribe como archivo para `consenso "
        "audit verify --anchors ARCHIVO`).",
    },
    "cli_audit_anchors_invalid": {
        "en": "{path} is not a list of chain heads as `consenso audit head --json` writes it: {reason}",
        "es": "{path} no es una lista de cabezas de cadena como la que escribe `consenso audit head --json`: "
        "{reason}",
    },
}
