import { test } from 'node:test';
import assert from 'node:assert/strict';
import { catalogs, detectLang, t } from '../../src/i18n/index.js';

test('en and zh catalogs have exactly the same keys', () => {
  const en = Object.keys(catalogs.en).sort();
  const zh = Object.keys(catalogs.zh).sort();
  assert.deepEqual(zh, en);
  assert.ok(en.length > 50);
});

test('every message is non-empty and both languages use the same placeholders', () => {
  const ph = (s: string) => (s.match(/\{\w+\}/g) ?? []).sort();
  for (const key of Object.keys(catalogs.en) as Array<keyof typeof catalogs.en>) {
    assert.ok(catalogs.en[key].trim() !== '', `en ${key} is empty`);
    assert.ok(catalogs.zh[key].trim() !== '', `zh ${key} is empty`);
    assert.deepEqual(ph(catalogs.zh[key]), ph(catalogs.en[key]), `placeholders differ for ${key}`);
  }
});

test('zh differs from en for human sentences', () => {
  assert.notEqual(t('error.interrupted', {}, 'zh'), t('error.interrupted', {}, 'en'));
  assert.match(t('error.interrupted', {}, 'zh'), /[\u4e00-\u9fff]/);
});

test('t substitutes parameters and leaves unknown placeholders', () => {
  assert.equal(t('result.created', { uuid: 'abc' }, 'en'), 'created deployment abc');
  assert.equal(t('result.created', {}, 'en'), 'created deployment {uuid}');
  assert.equal(t('result.created', { uuid: 'abc' }, 'zh'), '已创建部署 abc');
});

test('detectLang: flag > AUTODL_LANG > LC_ALL > LC_MESSAGES > LANG > en', () => {
  assert.equal(detectLang('zh', { AUTODL_LANG: 'en' }), 'zh');
  assert.equal(detectLang(undefined, { AUTODL_LANG: 'zh_CN', LANG: 'en_US.UTF-8' }), 'zh');
  assert.equal(detectLang(undefined, { AUTODL_LANG: 'en', LANG: 'zh_CN.UTF-8' }), 'en');
  assert.equal(detectLang(undefined, { LC_ALL: 'zh_CN.UTF-8', LANG: 'en_US' }), 'zh');
  assert.equal(detectLang(undefined, { LC_ALL: 'C', LANG: 'zh_CN' }), 'en');
  assert.equal(detectLang(undefined, { LC_MESSAGES: 'zh_TW.UTF-8' }), 'zh');
  assert.equal(detectLang(undefined, { LANG: 'zh_CN.UTF-8' }), 'zh');
  assert.equal(detectLang(undefined, { LANG: 'de_DE.UTF-8' }), 'en');
  assert.equal(detectLang(undefined, {}), 'en');
  assert.equal(detectLang('fr', {}), 'en');
});
