//! Spanish (español), neutral and addressing the candidate as "tú" throughout, as most
//! recruiting in Spanish does today.

use super::{Message, Words};

pub static WORDS: Words = Words {
    code: "es",
    name: "Español",
    language: "Idioma",
    meta_description: "Postúlate con una entrevista en vídeo: un formulario breve y tu entrevista en el navegador.",
    careers: "Empleo",
    privacy_notice: "Aviso de privacidad",
    contact: "Contacto:",
    opens_in_new_tab: "(se abre en una pestaña nueva)",

    positions_title: "Puestos abiertos",
    no_positions: "Ahora mismo no hay puestos abiertos. Vuelve a consultarlo pronto.",
    see_open_positions: "Ver los puestos abiertos",
    back_to_form: "Volver al formulario",

    form_eyebrow: "Entrevista en vídeo",
    any_position: "Postúlate a este puesto",
    form_intro: "Cuéntanos quién eres y pasarás directamente a tu entrevista.",
    next_heading: "Qué pasa después",
    next_video: "Al pulsar el botón, tu entrevista en vídeo se abre aquí, en tu navegador: respondes a unas preguntas ante la cámara, a tu ritmo.",
    next_camera: "Necesitas una cámara y un micrófono. No hay que instalar nada; también puedes hacerla desde el móvil.",
    next_email: "También te enviamos el enlace por correo, para que puedas volver a ella más tarde.",
    data_notice: "Al pulsar el botón, tu nombre, tu correo electrónico y tu teléfono se envían a Hireflix, nuestro proveedor de entrevistas en vídeo, para preparar tu entrevista.",
    consent_label: "Acepto que mis datos se envíen a Hireflix para preparar mi entrevista en vídeo, tal como se explica en el aviso de privacidad.",
    title_apply: "Postulación: ",
    title_error: "Error: ",
    error_summary: "Revisa tus datos",
    optional: "(opcional)",
    submit: "Empezar mi entrevista",
    sending: "Abriendo tu entrevista\u{2026}",
    frame_title: "Formulario de postulación",
    position: "Puesto",
    first_name: "Nombre",
    last_name: "Apellidos",
    email: "Correo electrónico",
    email_hint: "También te enviaremos aquí el enlace a tu entrevista.",
    phone: "Teléfono",
    phone_region: "ES",
    phone_hint: "Añade el prefijo del país, como +34, si el número es de otro país.",
    consent: "Consentimiento",

    first_name_missing: "Escribe tu nombre.",
    last_name_missing: "Escribe tus apellidos.",
    name_too_long: "Usa 50 caracteres como máximo.",
    not_a_name: "Usa solo letras, espacios, apóstrofos, guiones y puntos tras una inicial (como J. R.).",
    email_missing: "Escribe tu correo electrónico.",
    email_too_long: "Este correo electrónico es demasiado largo.",
    not_an_email: "Escribe un correo electrónico como nombre@ejemplo.com.",
    phone_characters: "Usa solo cifras, espacios y un + al principio, o deja el teléfono vacío.",
    phone_without_country_code: "No es un número nacional completo: revísalo, añade el prefijo del país (como +34) o déjalo vacío.",
    phone_incomplete: "A este número le faltan o le sobran cifras: revísalo, o deja el teléfono vacío.",
    consent_missing: "Marca la casilla para aceptar; sin ella no podemos preparar tu entrevista.",

    rate_limited: "Has enviado este formulario varias veces en poco tiempo. Espera un minuto y vuelve a enviarlo.",
    unavailable: "No hemos podido enviar tu postulación en este momento. Tus datos siguen aquí: inténtalo de nuevo dentro de un minuto.",
    refused_by_hireflix: "Hireflix no ha aceptado estos datos. Revísalos y vuelve a intentarlo.",
    human_check: "Verificación",
    human_check_missing: "Completa la verificación de que eres una persona, justo encima del botón.",
    human_check_refused: "La verificación no se ha completado. Vuelve a hacerla y envía el formulario.",
    human_check_unavailable: "No hemos podido confirmar la verificación en este momento. Tus datos siguen aquí: inténtalo de nuevo dentro de un minuto.",
    human_check_needs_javascript: "Este formulario pide a tu navegador una breve verificación de que eres una persona, y para ello necesita JavaScript. Activa JavaScript en esta página o usa otro navegador.",
    honeypot_label: "Deja este campo vacío",

    nothing_arrived_write_to: "¿No te ha llegado nada, ni siquiera a la carpeta de spam? Escríbenos a",
    nothing_arrived: "¿No te ha llegado nada? Mira también en la carpeta de spam: el correo lo envía Hireflix.",
    place_in_line: "Tu lugar en la fila",
    expected_by: "Recibirás el correo antes de",
    position_paused: "Las solicitudes para este puesto están en pausa: ahora mismo se postula demasiada gente. No se ha enviado nada y tus datos siguen aquí.",
    try_again_from: "Vuelve a enviar el formulario a partir del",

    invited_by_email: Message {
        heading: "Revisa tu correo",
        body: "Ya tenías una invitación para este puesto. Hireflix te ha enviado por correo el enlace a tu entrevista: ábrela desde ese correo. Si acabas de postularte, te llegará en unos minutos.",
    },
    queued: Message {
        heading: "Postulación recibida",
        body: "Gracias, hemos recibido tu postulación. Hireflix, nuestro proveedor de entrevistas en vídeo, te enviará por correo el enlace a tu entrevista en cuanto esté creada; cuando se postula mucha gente a la vez, puede tardar un poco. No tienes que hacer nada más: puedes cerrar esta página.",
    },
    in_line: Message {
        heading: "Estás en la fila",
        body: "Gracias, hemos recibido tu postulación. Mucha gente se está postulando a este puesto, así que las entrevistas se envían por orden de llegada y a un ritmo constante. Hireflix, nuestro proveedor de entrevistas en vídeo, te enviará por correo el enlace a tu entrevista antes de la hora indicada abajo. No tienes que hacer nada más: puedes cerrar esta página.",
    },
    link_unusable: Message {
        heading: "Tu entrevista está lista",
        body: "Hemos creado tu entrevista, pero no hemos podido abrirla desde aquí. Hireflix te ha enviado el enlace por correo: ábrela desde ese correo, que te llegará en unos minutos. No hace falta que vuelvas a postularte.",
    },
    position_not_found: Message {
        heading: "Puesto no encontrado",
        body: "Este puesto no existe o ya no acepta postulaciones.",
    },
    position_closed: Message {
        heading: "Postulaciones cerradas",
        body: "Este puesto no acepta postulaciones en este momento.",
    },
    origin_not_allowed: Message {
        heading: "Formulario no aceptado",
        body: "Este formulario solo se puede enviar desde las páginas de la empresa. Postúlate desde su página de empleo.",
    },
    page_not_found: Message {
        heading: "Página no encontrada",
        body: "No hay nada en esta dirección.",
    },
    positions_unavailable: Message {
        heading: "Puestos no disponibles",
        body: "No podemos mostrar los puestos abiertos en este momento. Inténtalo de nuevo dentro de un minuto.",
    },
    misconfigured: Message {
        heading: "Las postulaciones aún no están abiertas",
        body: "Este formulario todavía no está configurado del todo. Inténtalo de nuevo más tarde.",
    },
    too_large: Message {
        heading: "Demasiados datos",
        body: "El formulario ha enviado más datos de los que necesita una postulación.",
    },
    unsupported_type: Message {
        heading: "Formulario no compatible",
        body: "Envía tu postulación desde el formulario.",
    },
    unreadable: Message {
        heading: "Formulario ilegible",
        body: "No hemos podido leer el formulario. Inténtalo de nuevo.",
    },
};
