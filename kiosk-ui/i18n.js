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
    smsIntro: 'Type your cell phone number. We will send a short text in a few days. It will not say what you answered.',
    smsConsent: 'Reply STOP at any time to stop the texts.',
    smsNumber: 'Cell phone number',
    smsDelete: 'Delete last number',
    smsSend: 'Send me texts',
    smsCancel: 'Cancel',
    smsDone: 'Thank you. We will text you.',
    smsBadNumber: 'Please type a 10-digit phone number.',

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
    smsIntro: 'Escriba su número de celular. Le enviaremos un texto corto en unos días. No dirá lo que usted contestó.',
    smsConsent: 'Conteste STOP en cualquier momento para dejar de recibir textos.',
    smsNumber: 'Número de celular',
    smsDelete: 'Borrar el último número',
    smsSend: 'Enviarme textos',
    smsCancel: 'Cancelar',
    smsDone: 'Gracias. Le enviaremos un texto.',
    smsBadNumber: 'Por favor, escriba un número de teléfono de 10 dígitos.',

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
