"""Messages of outbound requests (``consenso.core.netguard``, ``consenso.services.outbound``): why a URL is not
fetched. They name the host at most, never the address it resolved to or what the remote answered."""

MESSAGES: dict[str, dict[str, str]] = {
    "outbound_url_invalid": {
        "en": "The URL is not a valid http or https URL of at most {limit} characters without spaces.",
        "es": "La URL no es una URL http o https válida de como máximo {limit} caracteres y sin espacios.",
    },
    "outbound_scheme_refused": {
        "en": "URLs with the scheme '{scheme}' are not fetched: use http or https.",
        "es": "No se obtienen URL con el esquema '{scheme}': use http o https.",
    },
    "outbound_userinfo_refused": {
        "en": "A URL with a user name or password (user:password@host) is not fetched: put no credentials in it.",
        "es": "No se obtiene una URL con usuario o contraseña (usuario:contraseña@host): no ponga credenciales en ella.",
    },
    "outbound_host_missing": {
        "en": "The URL has no host.",
        "es": "La URL no tiene host.",
    },
    "outbound_host_invalid": {
        "en": "The URL's host is not a valid host name or IP address.",
        "es": "El host de la URL no es un nombre de host ni una dirección IP válidos.",
    },
    "outbound_port_invalid": {
        "en": "The URL's port is not a number from 1 to 65535.",
        "es": "El puerto de la URL no es un número del 1 al 65535.",
    },
    "outbound_address_refused": {
        "en": "{host} is not fetched: it is {reason}. An administrator may allow the host "
        "(CONSENSO_OUTBOUND_ALLOW_HOSTS).",
        "es": "No se obtiene {host}: es {reason}. Un administrador puede permitir el host "
        "(CONSENSO_OUTBOUND_ALLOW_HOSTS).",
    },
    "outbound_reason_metadata": {
        "en": "a cloud metadata address",
        "es": "una dirección de metadatos de la nube",
    },
    "outbound_reason_unspecified": {
        "en": "an unspecified address (0.0.0.0 or ::)",
        "es": "una dirección no especificada (0.0.0.0 o ::)",
    },
    "outbound_reason_loopback": {
        "en": "a loopback address (this machine)",
        "es": "una dirección de bucle local (esta máquina)",
    },
    "outbound_reason_private": {
        "en": "a private network address",
        "es": "una dirección de red privada",
    },
    "outbound_reason_link_local": {
        "en": "a link-local address",
        "es": "una dirección de enlace local",
    },
    "outbound_reason_shared": {
        "en": "a carrier-grade NAT address (100.64.0.0/10)",
        "es": "una dirección de NAT de operador (100.64.0.0/10)",
    },
    "outbound_reason_multicast": {
        "en": "a multicast address",
        "es": "una dirección de multidifusión",
    },
    "outbound_reason_broadcast": {
        "en": "the broadcast address",
        "es": "la dirección de difusión",
    },
    "outbound_reason_reserved": {
        "en": "a reserved or special-purpose address",
        "es": "una dirección reservada o de uso especial",
    },
    "outbound_unresolved": {
        "en": "The host {host} could not be resolved.",
        "es": "No se pudo resolver el host {host}.",
    },
    "outbound_connect_failed": {
        "en": "Could not connect to {host} (refused, unreachable, or a TLS certificate not valid for the host).",
        "es": "No se pudo conectar con {host} (rechazado, inalcanzable o un certificado TLS no válido para el host).",
    },
    "outbound_failed": {
        "en": "The request to {host} failed before a complete answer arrived.",
        "es": "La petición a {host} falló antes de recibir una respuesta completa.",
    },
    "outbound_timeout": {
        "en": "The request to {host} did not finish within the limit of {seconds} s and was stopped.",
        "es": "La petición a {host} no terminó dentro del límite de {seconds} s y se detuvo.",
    },
    "outbound_too_large": {
        "en": "The answer of {host} is larger than {limit} bytes and was not read to the end.",
        "es": "La respuesta de {host} supera los {limit} bytes y no se leyó hasta el final.",
    },
    "outbound_too_many_redirects": {
        "en": "The URL redirected more than {limit} times.",
        "es": "La URL redirigió más de {limit} veces.",
    },
    "outbound_bad_redirect": {
        "en": "{host} answered a redirect without a usable Location.",
        "es": "{host} respondió con una redirección sin un Location utilizable.",
    },
    "outbound_bad_status": {
        "en": "{host} answered with HTTP status {status}.",
        "es": "{host} respondió con el estado HTTP {status}.",
    },
    "outbound_encoding_refused": {
        "en": "{host} sent a compressed answer ({encoding}); only uncompressed answers are read.",
        "es": "{host} envió una respuesta comprimida ({encoding}); solo se leen respuestas sin comprimir.",
    },
}
