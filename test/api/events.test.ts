// Following events whatever order the server lists them in (src/api/events.ts): the platform
// lists them newest first (test/fixtures/recorded/public/event-list.json), the simulator and some
// samples oldest first. No event missed, none repeated, each poll oldest first.
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AutodlClient } from '../../src/api/index.js';
import { EventStream, chronologicalEvents, detectOrder, type EventPageRequest } from '../../src/api/events.js';
import type { ContainerEvent, Page } from '../../src/api/types.js';
import { ok, startServer, TOKEN, type TestServer } from './helpers.js';

const servers: TestServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const C = '5dec112cb6-314744b79a-f1156c1ed8-39a9d230d';
function ev(i: number, status = `s${i}`, container = C): ContainerEvent {
  // one event a second from 20:27:00 (+08:00, as the platform writes times)
  const s = String(i % 60).padStart(2, '0');
  const m = String(27 + Math.floor(i / 60)).padStart(2, '0');
  return { deployment_container_uuid: container, status, created_at: `2025-07-03T20:${m}:${s}+08:00` };
}

/** A fake event list: `events` oldest first internally, served in `order`, paged by offset. */
function fakeServer(order: 'newest_first' | 'oldest_first', opts: { ignoreOffset?: boolean } = {}) {
  const events: ContainerEvent[] = [];
  const calls: EventPageRequest[] = [];
  const fetch = async (p: EventPageRequest): Promise<Page<ContainerEvent>> => {
    calls.push(p);
    const listed = order === 'newest_first' ? [...events].reverse() : [...events];
    const from = opts.ignoreOffset ? 0 : p.offset;
    const list = listed.slice(from, from + p.page_size);
    return { list, page_index: 1, page_size: p.page_size, offset: p.offset, max_page: Math.ceil(listed.length / p.page_size), result_total: listed.length };
  };
  return { events, calls, fetch };
}

const statuses = (l: ContainerEvent[]) => l.map((e) => e.status);

describe('EventStream', () => {
  for (const order of ['newest_first', 'oldest_first'] as const) {
    test(`${order}: events arriving between polls, across page boundaries, each seen once and oldest first`, async () => {
      const srv = fakeServer(order);
      const stream = new EventStream(srv.fetch, { pageSize: 3 });
      const got: ContainerEvent[] = [];
      let next = 0;
      // batches of new events of various sizes: 0, 1, page-size, more than two pages
      for (const batch of [2, 0, 1, 3, 7, 0, 4, 1]) {
        for (let k = 0; k < batch; k++) srv.events.push(ev(next++));
        const fresh = await stream.poll();
        got.push(...fresh);
        // each poll oldest first
        const times = fresh.map((e) => Date.parse(e.created_at));
        assert.deepEqual(times, [...times].sort((a, b) => a - b));
      }
      assert.equal(got.length, next, 'no event missed or repeated');
      assert.deepEqual(statuses(got), srv.events.map((e) => e.status));
      assert.equal(stream.order, order);
    });
  }

  test('newest first: a growing offset alone would skip the new events (the old behaviour), the stream does not', async () => {
    const srv = fakeServer('newest_first');
    for (let i = 0; i < 4; i++) srv.events.push(ev(i));
    // what a growing offset reads after 2 new events: the 2 oldest again, never the 2 new ones
    const naive = await srv.fetch({ page_index: 1, page_size: 100, offset: 4 });
    const stream = new EventStream(srv.fetch, { pageSize: 100 });
    assert.equal((await stream.poll()).length, 4);
    srv.events.push(ev(4), ev(5));
    const after2 = await srv.fetch({ page_index: 1, page_size: 100, offset: 4 });
    assert.deepEqual(statuses(after2.list), ['s1', 's0'], 'the shifted page holds old events');
    assert.equal(naive.list.length, 0);
    assert.deepEqual(statuses(await stream.poll()), ['s4', 's5']);
  });

  test('a newest-first poll stops at the first page that holds an event seen before (no full re-read)', async () => {
    const srv = fakeServer('newest_first');
    for (let i = 0; i < 30; i++) srv.events.push(ev(i));
    const stream = new EventStream(srv.fetch, { pageSize: 5 });
    assert.equal((await stream.poll()).length, 30);
    srv.calls.length = 0;
    srv.events.push(ev(30), ev(31));
    assert.deepEqual(statuses(await stream.poll()), ['s30', 's31']);
    assert.equal(srv.calls.length, 1, 'one page read');
  });

  test('oldest first: polls continue from the count consumed (the growing offset)', async () => {
    const srv = fakeServer('oldest_first');
    for (let i = 0; i < 12; i++) srv.events.push(ev(i));
    const stream = new EventStream(srv.fetch, { pageSize: 5 });
    await stream.poll();
    srv.calls.length = 0;
    srv.events.push(ev(12));
    assert.deepEqual(statuses(await stream.poll()), ['s12']);
    assert.deepEqual(
      srv.calls.map((c) => c.offset),
      [12],
    );
  });

  test('a server that ignores the offset (same page again) ends the poll instead of looping', async () => {
    const srv = fakeServer('oldest_first', { ignoreOffset: true });
    for (let i = 0; i < 6; i++) srv.events.push(ev(i));
    const stream = new EventStream(srv.fetch, { pageSize: 3 });
    const got = await stream.poll();
    assert.deepEqual(statuses(got), ['s0', 's1', 's2']);
    assert.ok(srv.calls.length <= 3);
  });

  test('a list that shrank under the offset is read again from the start, without repeats', async () => {
    const srv = fakeServer('oldest_first');
    for (let i = 0; i < 6; i++) srv.events.push(ev(i));
    const stream = new EventStream(srv.fetch, { pageSize: 10 });
    assert.equal((await stream.poll()).length, 6);
    srv.events.splice(0, 4); // the server pruned its 4 oldest
    srv.events.push(ev(6));
    assert.deepEqual(statuses(await stream.poll()), ['s6']);
  });

  test('same timestamps (1 s resolution): kept in the server\'s chronological order; the same event on two pages once', async () => {
    const srv = fakeServer('newest_first');
    srv.events.push(ev(0, 'created'), ev(1, 'starting'), { ...ev(1), status: 'running' }, ev(2, 'shutdown'));
    const stream = new EventStream(srv.fetch, { pageSize: 2 });
    assert.deepEqual(statuses(await stream.poll()), ['created', 'starting', 'running', 'shutdown']);
  });

  test('skipHistory keeps only the newest N; skipOldest skips the oldest N', async () => {
    const srv = fakeServer('newest_first');
    for (let i = 0; i < 5; i++) srv.events.push(ev(i));
    assert.deepEqual(statuses(await new EventStream(srv.fetch).skipHistory(2)), ['s3', 's4']);
    assert.deepEqual(statuses(await new EventStream(srv.fetch).skipOldest(3)), ['s3', 's4']);
    const s = new EventStream(srv.fetch);
    await s.skipHistory(0);
    srv.events.push(ev(5));
    assert.deepEqual(statuses(await s.poll()), ['s5']);
  });
});

describe('chronologicalEvents / detectOrder on the recorded list', () => {
  const recorded = JSON.parse(readFileSync('test/fixtures/recorded/public/event-list.json', 'utf8')) as { data: { list: ContainerEvent[] } };
  test('the recorded public list is newest first; sorted it reads starting → shutting_down → shutdown → removed', () => {
    assert.equal(detectOrder(recorded.data.list), 'newest_first');
    assert.deepEqual(statuses(chronologicalEvents(recorded.data.list)), ['starting', 'shutting_down', 'shutdown', 'removed']);
  });
  test('duplicates are dropped', () => {
    const l = recorded.data.list;
    assert.equal(chronologicalEvents([...l, ...l]).length, l.length);
  });
});

describe('events.follow over HTTP against a newest-first loopback server', () => {
  test('yields every event once, oldest first, as the list grows at the top', async () => {
    const events: ContainerEvent[] = [ev(0, 'creating'), ev(1, 'created')];
    let polls = 0;
    const server = await startServer((req, res) => {
      const b = req.json as { offset?: number; page_size: number };
      const listed = [...events].reverse(); // newest first, like the platform
      const from = b.offset ?? 0;
      ok(res, { list: listed.slice(from, from + b.page_size), page_index: 1, page_size: b.page_size, offset: from, max_page: 1, result_total: listed.length }, { request_id: 'r' });
    });
    servers.push(server);
    const client = new AutodlClient({ token: TOKEN, host: server.url });
    const ac = new AbortController();
    const got: string[] = [];
    const batches = [[ev(2, 'starting')], [], [ev(3, 'running'), ev(4, 'shutting_down')], [ev(5, 'shutdown')]];
    for await (const e of client.events.follow('7ca5bc225c', {
      signal: ac.signal,
      sleep: async () => {
        const b = batches[polls++];
        if (b === undefined) ac.abort();
        else events.push(...b);
      },
    })) {
      got.push(String(e.status));
    }
    assert.deepEqual(got, ['creating', 'created', 'starting', 'running', 'shutting_down', 'shutdown']);
    // every request asked for the events of the deployment given
    assert.ok(server.requests.every((r) => (r.json as { deployment_uuid: string }).deployment_uuid === '7ca5bc225c'));
  });
});
