/*
 * Every word the patient screen shows that is not part of the screening
 * itself (the questions, answers and need names come from
 * GET /api/v1/instrument in the patient's language).
 *
 * Written for a 6th-grade reading level: short sentences, common words,
 * "you" in English and "usted" in Spanish.  Functions take numbers so the
 * word order stays natural in each language.
 *
 * To add a language: copy the "en" block, translate every value, and add
 * the language to [kiosk] languages in the daemon's configuration.
 */

export const STRINGS = {
  en: {
    pageTitle: 'Health questions',
    loading: 'Loading…',
    language: 'Language',
    chooseLanguage: 'Choose your language',

    welcomeWhy:
      'We ask everyone these questions because things like food, housing and safety affect your health. Only your care team sees your answers.',
    welcomeTime: 'It takes about 3 minutes. You can skip any question.',
    start: 'Start',

    questionOf: (n, total) => `Question ${n} of ${total}`,
    progressLabel: 'Progress',
    back: 'Back',
    next: 'Next',
    skip: "I'd rather not answer",
    skippedNote: 'You chose not to answer this one. You can still pick an answer.',
    chooseAll: 'Tap all that apply. Then tap Next.',
    selected: 'Selected',

    saving: 'Saving your answers…',

    helpTitle: 'Would you like help with any of these?',
    helpIntro: 'Your answers show these needs. Tap the ones you want help with.',
    helpYes: 'Yes, help with these',
    helpNo: 'No, thank you',
    helpPickFirst: 'To say yes, first tap at least one need.',
    helpNeeds: 'Needs',

    resultsTitle: 'Places that can help',
    resultsHelpYes: 'Thank you. Someone from your care team will talk with you about this.',
    resultsHelpNo: 'That is OK. Here are places you can call if you change your mind.',
    resultsIntro: 'Here are places you can call.',
    noPlaces: 'We could not find a place for this need. Please ask the front desk.',
    noNeedsTitle: 'Thank you',
    noNeedsText: 'Thank you for answering. Your answers do not show any needs right now.',
    noNeedsLater: 'If things change, your care team is here to help.',
    generalHelp: 'If you need help later',
    clinicPhone: (phone) => `Questions? Call the clinic: ${phone}`,
    phone: 'Phone',
    address: 'Address',
    hours: 'Hours',
    hoursUnknown: 'Hours unknown',
    askFor: 'Ask for',
    contact: 'Contact',
    print: 'Print this list',
    sms: 'Text me a reminder',
    notAvailable: 'Not available yet',
    printing: 'Printing… Please wait.',
    printed: 'Done. Please take your paper.',
    printFailed: 'The printer is not working right now. Please ask the front desk.',
    finish: 'Finish',
    finishNote: 'Tap Finish when you are done. This clears the screen.',

    smsTitle: 'Text me a reminder',
    smsIntro: 'Type your cell phone number.',
    smsPrivate: 'The texts will not say what you answered.',
    smsNumber: 'Cell phone number',
    smsKeypad: 'Number pad',
    smsDelete: 'Delete last number',
    smsConsentTitle: 'About the texts',
    smsConsentFailed: 'We could not load this. Please try again.',
    smsAgree: 'I agree to get texts',
    smsPickTitle: 'What should we text you?',
    smsPickReminders: (n) =>
      n === null || n === undefined ? 'Reminders later' : n === 1 ? 'A reminder later (1 text)' : `Reminders later (${n} texts)`,
    smsPickList: 'This list of places (1 text)',
    smsSend: 'Send me texts',
    smsSending: 'Sending…',
    smsCancel: 'Cancel',
    smsSignedUp: 'You will get texts',
    smsOff: 'Texts are not working right now. Please ask the front desk.',

    smsHintNumber: 'Type your 10-digit cell phone number.',
    smsHintCheck: 'Please check the number.',
    smsHintConsent: 'Please wait for the words about the texts.',
    smsHintAgree: 'Read about the texts. Then tap "I agree to get texts".',
    smsHintPick: 'Pick reminders, this list, or both.',

    /* Shown as soon as a typed digit makes the number impossible (phone.js). */
    phoneProblems: {
      'area-leading-one': 'Please start with the area code. You do not need to type 1 first.',
      'area-zero': 'An area code cannot start with 0. Please check the number.',
      'area-second-nine': 'There is no area code like this. Please check the number.',
      'area-n11': 'That is a service number like 911, not an area code. Please type your cell phone number.',
      'exchange-start': 'The number after the area code cannot start with 0 or 1. Please check the number.',
      'exchange-n11': 'This is not a real phone number. Please check the numbers after the area code.',
      other: 'Please type a 10-digit phone number.',
    },

    /* When the texts could not be set up. */
    smsErrors: {
      invalid_phone: 'This number cannot get texts. Please check it and try again.',
      opted_out: (number) =>
        `This number asked us to stop texting it. To get texts again, send the word START in a text to ${number || "the clinic's number"}.`,
      sms_exists: 'You already asked for these texts. You do not need to do anything else.',
      sms_off: 'Texts are not working right now. Please ask the front desk.',
      expired: 'Too much time has passed to set up texts. Please ask the front desk.',
      consent_changed: 'The words about the texts have changed. Please read them and tap "I agree to get texts" again.',
      consent_required: 'Please tap "I agree to get texts" first.',
      network: 'We could not send this right now. Your number is still here. Please try again.',
    },

    smsDoneTitle: 'You are all set',
    smsDoneDays: (n) => (n === 1 ? 'We will send you a text on this day:' : 'We will send you a text on each of these days:'),
    smsDoneList: 'We will text you this list of places soon.',
    smsDoneListSent: 'We sent you this list of places by text.',
    smsDoneStop: 'To stop the texts, reply STOP to any of them.',
    smsBackToList: 'Back to the list',

    idleTitle: 'Are you still there?',
    idleText: 'This screen will clear soon to protect your privacy.',
    idleCountdown: (s) => (s === 1 ? 'Clearing in 1 second' : `Clearing in ${s} seconds`),
    stillHere: "I'm still here",

    errorTitle: 'Sorry, we could not connect',
    errorText: 'Something went wrong for a moment.',
    errorKept: 'Your answers are still here.',
    errorHint: 'Please try again. If this keeps happening, please ask the front desk.',
    tryAgain: 'Try again',

    announceWelcome: 'Welcome',
  },

  es: {
    pageTitle: 'Preguntas de salud',
    loading: 'Cargando…',
    language: 'Idioma',
    chooseLanguage: 'Elija su idioma',

    welcomeWhy:
      'Les hacemos estas preguntas a todos porque cosas como la comida, la vivienda y la seguridad afectan su salud. Solo su equipo de atención médica ve sus respuestas.',
    welcomeTime: 'Toma unos 3 minutos. Puede saltar cualquier pregunta.',
    start: 'Empezar',

    questionOf: (n, total) => `Pregunta ${n} de ${total}`,
    progressLabel: 'Progreso',
    back: 'Atrás',
    next: 'Siguiente',
    skip: 'Prefiero no contestar',
    skippedNote: 'Usted eligió no contestar esta pregunta. Todavía puede elegir una respuesta.',
    chooseAll: 'Toque todas las que correspondan. Luego toque Siguiente.',
    selected: 'Elegida',

    saving: 'Guardando sus respuestas…',

    helpTitle: '¿Quiere ayuda con alguna de estas cosas?',
    helpIntro: 'Sus respuestas muestran estas necesidades. Toque las que quiere que le ayudemos.',
    helpYes: 'Sí, quiero ayuda con estas',
    helpNo: 'No, gracias',
    helpPickFirst: 'Para decir que sí, primero toque al menos una necesidad.',
    helpNeeds: 'Necesidades',

    resultsTitle: 'Lugares que pueden ayudar',
    resultsHelpYes: 'Gracias. Alguien de su equipo de atención médica hablará con usted sobre esto.',
    resultsHelpNo: 'Está bien. Aquí hay lugares a los que puede llamar si cambia de opinión.',
    resultsIntro: 'Aquí hay lugares a los que puede llamar.',
    noPlaces: 'No encontramos un lugar para esta necesidad. Por favor, pregunte en la recepción.',
    noNeedsTitle: 'Gracias',
    noNeedsText: 'Gracias por contestar. Sus respuestas no muestran necesidades en este momento.',
    noNeedsLater: 'Si las cosas cambian, su equipo de atención médica está aquí para ayudarle.',
    generalHelp: 'Si necesita ayuda más adelante',
    clinicPhone: (phone) => `¿Preguntas? Llame a la clínica: ${phone}`,
    phone: 'Teléfono',
    address: 'Dirección',
    hours: 'Horario',
    hoursUnknown: 'Horario desconocido',
    askFor: 'Pregunte por',
    contact: 'Contacto',
    print: 'Imprimir esta lista',
    sms: 'Recordarme por texto',
    notAvailable: 'Todavía no disponible',
    printing: 'Imprimiendo… Por favor, espere.',
    printed: 'Listo. Por favor, tome su papel.',
    printFailed: 'La impresora no funciona en este momento. Por favor, pregunte en la recepción.',
    finish: 'Terminar',
    finishNote: 'Toque Terminar cuando acabe. Así se borra la pantalla.',

    smsTitle: 'Recordarme por texto',
    smsIntro: 'Escriba su número de celular.',
    smsPrivate: 'Los textos no dirán lo que usted contestó.',
    smsNumber: 'Número de celular',
    smsKeypad: 'Teclado de números',
    smsDelete: 'Borrar el último número',
    smsConsentTitle: 'Sobre los textos',
    smsConsentFailed: 'No pudimos cargar esto. Por favor, intente de nuevo.',
    smsAgree: 'Acepto recibir textos',
    smsPickTitle: '¿Qué le enviamos por texto?',
    smsPickReminders: (n) =>
      n === null || n === undefined
        ? 'Recordatorios más tarde'
        : n === 1
          ? 'Un recordatorio más tarde (1 texto)'
          : `Recordatorios más tarde (${n} textos)`,
    smsPickList: 'Esta lista de lugares (1 texto)',
    smsSend: 'Enviarme textos',
    smsSending: 'Enviando…',
    smsCancel: 'Cancelar',
    smsSignedUp: 'Usted recibirá textos',
    smsOff: 'Los textos no funcionan en este momento. Por favor, pregunte en la recepción.',

    smsHintNumber: 'Escriba su número de celular de 10 dígitos.',
    smsHintCheck: 'Por favor, revise el número.',
    smsHintConsent: 'Por favor, espere las palabras sobre los textos.',
    smsHintAgree: 'Lea sobre los textos. Luego toque "Acepto recibir textos".',
    smsHintPick: 'Elija recordatorios, esta lista o las dos cosas.',

    phoneProblems: {
      'area-leading-one': 'Por favor, empiece con el código de área. No necesita marcar 1 primero.',
      'area-zero': 'Un código de área no puede empezar con 0. Por favor, revise el número.',
      'area-second-nine': 'No hay ningún código de área así. Por favor, revise el número.',
      'area-n11': 'Ese es un número de servicio, como el 911. No es un código de área. Por favor, escriba su número de celular.',
      'exchange-start': 'El número después del código de área no puede empezar con 0 ni con 1. Por favor, revise el número.',
      'exchange-n11': 'Este no es un número de teléfono real. Por favor, revise los números después del código de área.',
      other: 'Por favor, escriba un número de teléfono de 10 dígitos.',
    },

    smsErrors: {
      invalid_phone: 'Este número no puede recibir textos. Por favor, revíselo e intente de nuevo.',
      opted_out: (number) =>
        `Este número nos pidió no enviarle más textos. Para recibir textos otra vez, envíe la palabra START en un texto al ${number || 'número de la clínica'}.`,
      sms_exists: 'Usted ya pidió estos textos. No tiene que hacer nada más.',
      sms_off: 'Los textos no funcionan en este momento. Por favor, pregunte en la recepción.',
      expired: 'Pasó demasiado tiempo para pedir textos. Por favor, pregunte en la recepción.',
      consent_changed: 'Las palabras sobre los textos cambiaron. Por favor, léalas y toque "Acepto recibir textos" otra vez.',
      consent_required: 'Por favor, primero toque "Acepto recibir textos".',
      network: 'No pudimos enviar esto en este momento. Su número sigue aquí. Por favor, intente de nuevo.',
    },

    smsDoneTitle: 'Todo está listo',
    smsDoneDays: (n) => (n === 1 ? 'Le enviaremos un texto este día:' : 'Le enviaremos un texto cada uno de estos días:'),
    smsDoneList: 'Pronto le enviaremos esta lista de lugares por texto.',
    smsDoneListSent: 'Le enviamos esta lista de lugares por texto.',
    smsDoneStop: 'Para dejar de recibir los textos, conteste STOP a cualquiera de ellos.',
    smsBackToList: 'Volver a la lista',

    idleTitle: '¿Sigue ahí?',
    idleText: 'Esta pantalla se borrará pronto para proteger su privacidad.',
    idleCountdown: (s) => (s === 1 ? 'Se borrará en 1 segundo' : `Se borrará en ${s} segundos`),
    stillHere: 'Sigo aquí',

    errorTitle: 'Lo sentimos, no pudimos conectarnos',
    errorText: 'Algo salió mal por un momento.',
    errorKept: 'Sus respuestas siguen aquí.',
    errorHint: 'Por favor, intente de nuevo. Si esto sigue pasando, pregunte en la recepción.',
    tryAgain: 'Intentar de nuevo',

    announceWelcome: 'Bienvenida',
  },
};

export const FALLBACK_LANGUAGE = 'en';

/* The strings for a language, falling back to English for a language the
 * daemon offers but this file does not know yet. */
export function strings(lang) {
  return STRINGS[lang] || STRINGS[FALLBACK_LANGUAGE];
}

/* Shown before /api/v1/kiosk has answered (or when it cannot be reached),
 * so the language buttons still work then. */
export const BUILTIN_LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'es', name: 'Español' },
];
