/*
 * kiosk-ui/phone.js on its own, in node (no daemon, no browser): the NANP
 * rules the "Text me" keypad checks while the patient types, where each
 * problem is reported (at the digit that causes it), the keypad's keys and
 * the number as it is shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkPhone, isValidPhone, pressKey, formatPhone, PHONE_DIGITS } from '../../kiosk-ui/phone.js';

/* Every prefix of a valid number is fine so far. */
function assertPrefixesFine(number) {
  for (let n = 1; n < number.length; n++) {
    assert.deepEqual(checkPhone(number.slice(0, n)), { status: 'partial', problem: null, at: null }, number.slice(0, n));
  }
}

test('valid numbers, including the 555-01XX test numbers', () => {
  for (const number of ['2175550123', '2175550100', '2125551212', '8005550199', '3125550000', '9899999999', '2022222222']) {
    assert.deepEqual(checkPhone(number), { status: 'valid', problem: null, at: null }, number);
    assert.ok(isValidPhone(number));
    assertPrefixesFine(number);
  }
  assert.equal(PHONE_DIGITS, 10);
});

test('empty, and fewer than 10 digits', () => {
  assert.deepEqual(checkPhone(''), { status: 'empty', problem: null, at: null });
  assert.equal(checkPhone('217').status, 'partial');
  assert.equal(checkPhone('217555012').status, 'partial');
  assert.ok(!isValidPhone(''));
  assert.ok(!isValidPhone('217555012'));
  assert.equal(checkPhone(undefined).status, 'empty');
});

test('the area code cannot start with 0 or 1, found at the first digit', () => {
  assert.deepEqual(checkPhone('1'), { status: 'invalid', problem: 'area-leading-one', at: 0 });
  assert.deepEqual(checkPhone('12175550123'.slice(0, 10)), { status: 'invalid', problem: 'area-leading-one', at: 0 });
  assert.deepEqual(checkPhone('0'), { status: 'invalid', problem: 'area-zero', at: 0 });
  assert.deepEqual(checkPhone('0175550123'), { status: 'invalid', problem: 'area-zero', at: 0 });
  for (let d = 2; d <= 9; d++) assert.equal(checkPhone(String(d)).status, 'partial');
});

test('the area code\'s second digit cannot be 9', () => {
  assert.deepEqual(checkPhone('29'), { status: 'invalid', problem: 'area-second-nine', at: 1 });
  assert.deepEqual(checkPhone('3975550123'), { status: 'invalid', problem: 'area-second-nine', at: 1 });
  assert.equal(checkPhone('28').status, 'partial');
  assert.equal(checkPhone('20').status, 'partial');
  assert.equal(checkPhone('21').status, 'partial');
});

test('N11 area codes (211 ... 911) are found at the third digit', () => {
  for (let n = 2; n <= 9; n++) {
    assert.deepEqual(checkPhone(`${n}11`), { status: 'invalid', problem: 'area-n11', at: 2 }, `${n}11`);
    assert.equal(checkPhone(`${n}11`.padEnd(10, '5')).problem, 'area-n11');
  }
  assert.equal(checkPhone('91').status, 'partial', '91 may still become 910, 912 ...');
  assert.equal(checkPhone('910').status, 'partial');
  assert.equal(checkPhone('212').status, 'partial');
  assert.equal(checkPhone('201').status, 'partial');
});

test('the exchange cannot start with 0 or 1', () => {
  assert.deepEqual(checkPhone('2170'), { status: 'invalid', problem: 'exchange-start', at: 3 });
  assert.deepEqual(checkPhone('2171'), { status: 'invalid', problem: 'exchange-start', at: 3 });
  assert.deepEqual(checkPhone('2171550123'), { status: 'invalid', problem: 'exchange-start', at: 3 });
  assert.equal(checkPhone('2172').status, 'partial');
});

test('N11 exchanges are found at the sixth digit', () => {
  for (let n = 2; n <= 9; n++) {
    assert.deepEqual(checkPhone(`217${n}11`), { status: 'invalid', problem: 'exchange-n11', at: 5 }, `217${n}11`);
  }
  assert.equal(checkPhone('21741').status, 'partial');
  assert.equal(checkPhone('217410').status, 'partial');
  assert.equal(checkPhone('2174110000').problem, 'exchange-n11');
  /* The line number has no rule: 911 there is fine. */
  assert.equal(checkPhone('2175550911').status, 'valid');
  assert.equal(checkPhone('2175551111').status, 'valid');
});

test('the first problem wins', () => {
  assert.deepEqual(checkPhone('1911011111'), { status: 'invalid', problem: 'area-leading-one', at: 0 });
  assert.deepEqual(checkPhone('2110111111'), { status: 'invalid', problem: 'area-n11', at: 2 });
  assert.deepEqual(checkPhone('2171411111'), { status: 'invalid', problem: 'exchange-start', at: 3 });
});

test('anything but 10 digits is not a number', () => {
  assert.deepEqual(checkPhone('217a'), { status: 'invalid', problem: 'not-digits', at: 3 });
  assert.deepEqual(checkPhone('(217) 555-0123'), { status: 'invalid', problem: 'not-digits', at: 0 });
  assert.deepEqual(checkPhone('21755501234'), { status: 'invalid', problem: 'too-long', at: 10 });
  assert.ok(!isValidPhone('+12175550123'));
});

test('the keypad keys', () => {
  let d = '';
  for (const k of '2175550123') d = pressKey(d, k);
  assert.equal(d, '2175550123');
  assert.equal(pressKey(d, '4'), d, 'no 11th digit');
  assert.equal(pressKey(d, 'del'), '217555012');
  assert.equal(pressKey('', 'del'), '');
  assert.equal(pressKey(d, 'clear'), '');
  assert.equal(pressKey('21', 'x'), '21');
  assert.equal(pressKey('21', '12'), '21');
});

test('the number as it is shown', () => {
  assert.equal(formatPhone(''), '');
  assert.equal(formatPhone('2'), '2');
  assert.equal(formatPhone('217'), '217');
  assert.equal(formatPhone('2175'), '(217) 5');
  assert.equal(formatPhone('217555'), '(217) 555');
  assert.equal(formatPhone('2175550'), '(217) 555-0');
  assert.equal(formatPhone('2175550123'), '(217) 555-0123');
  assert.equal(formatPhone(undefined), '');
});
