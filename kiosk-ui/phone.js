/*
 * US phone numbers as a patient types them on the "Text me" keypad, one
 * digit at a time.  Pure functions, no DOM: the browser tests run them in
 * node too (tests/e2e/phone.test.mjs).
 *
 * The keypad takes the 10 national digits only (area code, exchange,
 * line): NPA-NXX-XXXX under the North American Numbering Plan.  The area
 * code and the exchange start with 2-9 and are not N11 service codes (211,
 * 311 ... 911); an area code's second digit is not 9 (kept for expansion).
 * The 555-01XX numbers set aside for films and tests are valid numbers.
 *
 * A problem is reported at the digit that causes it, not at the tenth
 * digit: "1" as the first digit is already wrong (people often type the
 * country code out of habit; the keypad asks them to leave it off), and
 * "911" is wrong at its third digit.  The daemon checks the same rules
 * again (src/sms/phone.c) before it stores anything.
 */

export const PHONE_DIGITS = 10;

/*
 * Problem codes, each at the position (0-based) of the digit that causes it:
 *   not-digits         something other than 0-9
 *   too-long           more than 10 digits
 *   area-leading-one   1 as the first digit (a country code, or a typo)
 *   area-zero          0 as the first digit
 *   area-second-nine   9 as the area code's second digit
 *   area-n11           an area code like 211, 411, 911
 *   exchange-start     0 or 1 as the 4th digit
 *   exchange-n11       an exchange like 411 or 911
 */
function problemAt(digits, pos) {
  const d = digits[pos];
  switch (pos) {
    case 0:
      if (d === '1') return 'area-leading-one';
      if (d === '0') return 'area-zero';
      return null;
    case 1:
      return d === '9' ? 'area-second-nine' : null;
    case 2:
      return digits[1] === '1' && d === '1' ? 'area-n11' : null;
    case 3:
      return d === '0' || d === '1' ? 'exchange-start' : null;
    case 5:
      return digits[4] === '1' && d === '1' ? 'exchange-n11' : null;
    default:
      return null;
  }
}

/*
 * What the digits typed so far add up to:
 *   { status: 'empty' | 'partial' | 'invalid' | 'valid', problem, at }
 * problem and at (the position of the digit at fault) are null unless the
 * status is 'invalid'.  The first problem wins: fixing it (Delete) may show
 * the next one.
 */
export function checkPhone(digits) {
  const s = typeof digits === 'string' ? digits : '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] < '0' || s[i] > '9') return { status: 'invalid', problem: 'not-digits', at: i };
    if (i >= PHONE_DIGITS) return { status: 'invalid', problem: 'too-long', at: i };
    const problem = problemAt(s, i);
    if (problem) return { status: 'invalid', problem, at: i };
  }
  if (s.length === 0) return { status: 'empty', problem: null, at: null };
  if (s.length < PHONE_DIGITS) return { status: 'partial', problem: null, at: null };
  return { status: 'valid', problem: null, at: null };
}

export function isValidPhone(digits) {
  return checkPhone(digits).status === 'valid';
}

/*
 * One key of the keypad: a digit ("0".."9") is added unless 10 are there
 * already; "del" takes the last one off; "clear" empties the number.
 * Returns the new digits (strings are never changed in place).
 */
export function pressKey(digits, key) {
  if (key === 'del') return digits.slice(0, -1);
  if (key === 'clear') return '';
  if (/^[0-9]$/.test(key) && digits.length < PHONE_DIGITS) return digits + key;
  return digits;
}

/* "2175550123" -> "(217) 555-0123", shown as it grows: "217", "(217) 55". */
export function formatPhone(digits) {
  const d = String(digits || '').slice(0, PHONE_DIGITS);
  if (d.length <= 3) return d;
  if (d.length <= 6) return `(${d.slice(0, 3)}) ${d.slice(3)}`;
  return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
}
