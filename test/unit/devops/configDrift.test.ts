import { describe, expect, it } from 'vitest';
import { peerDrift, type SystemConfig } from '../../../src/devops/configDrift.js';
import { lineSetting, parseConfig, settingChanges } from '../../../src/devops/configKeys.js';

const JVM = ['# heap', '-Xms4g', '-Xmx4g', '-XX:+UseG1GC', '-XX:MaxGCPauseMillis=200', '-Dlog4j2.formatMsgNoLookups=true'].join('\n');
const sys = (system: string, content: string, path = '/etc/elasticsearch/jvm.options'): SystemConfig => ({ system, snapshot_id: `id-${system}`, sha256: content, parsed: parseConfig(path, content) });

describe('config keys', () => {
  it('reads JVM options, assignments and words as settings', () => {
    expect(lineSetting('-Xmx4g')).toEqual(['-Xmx', '4g']);
    expect(lineSetting('-XX:+UseG1GC')).toEqual(['-XX:UseG1GC', '+']);
    expect(lineSetting('-XX:MaxGCPauseMillis=200')).toEqual(['-XX:MaxGCPauseMillis', '200']);
    expect(lineSetting('worker_connections 1024;')).toEqual(['worker_connections', '1024']);
    expect(lineSetting('max_connections = 200')).toEqual(['max_connections', '200']);
    expect(lineSetting('-server')).toEqual(['-server', 'set']);
  });

  it('flattens JSON and YAML to dotted keys, and INI sections prefix their keys', () => {
    const a = parseConfig('a.yml', 'cluster:\n  name: prod\n  nodes: [a, b]\n');
    expect([...a.settings]).toEqual([['cluster.name', '"prod"'], ['cluster.nodes.0', '"a"'], ['cluster.nodes.1', '"b"']]);
    const b = parseConfig('b.json', '{"cluster":{"name":"prod","nodes":["a","c"]}}');
    expect(settingChanges(a.settings, b.settings)).toEqual([{ key: 'cluster.nodes.1', old: '"b"', new: '"c"' }]);
    const ini = parseConfig('my.cnf', '[mysqld]\nport=3306\n[client]\nport=3307\n');
    expect(ini.settings.get('mysqld.port')).toBe('3306');
    expect(ini.settings.get('client.port')).toBe('3307');
  });

  it('numbers a repeated key instead of losing it', () => {
    const p = parseConfig('nginx.conf', 'listen 80;\nlisten 443 ssl;\n');
    expect([...p.settings]).toEqual([['listen', '80'], ['listen#2', '443 ssl']]);
  });
});

describe('peer drift', () => {
  it('names the odd one out of five and the differing key and lines', () => {
    const configs = ['elastic1', 'elastic2', 'elastic3', 'elastic4', 'elastic5'].map((s) => sys(s, s === 'elastic3' ? JVM.replace('-Xmx4g', '-Xmx8g') : JVM));
    const d = peerDrift(configs, 'jvm.options');
    expect(d.identical).toBe(false);
    expect(d.odd).toHaveLength(1);
    const odd = d.odd[0]!;
    expect(odd.system).toBe('elastic3');
    expect(odd.differs_from).toEqual(['elastic1', 'elastic2', 'elastic4', 'elastic5']);
    expect(odd.keys).toEqual([{ key: '-Xmx', value: '8g', expected: '4g', expected_systems: ['elastic1', 'elastic2', 'elastic4', 'elastic5'] }]);
    expect(odd.keys_total).toBe(1);
    expect(odd.lines).toEqual({ added: ['-Xmx8g'], missing: ['-Xmx4g'] });
    expect(odd.summary).toBe("elastic3's jvm.options differs from elastic1, elastic2, elastic4, elastic5 in -Xmx (8g; others 4g)");
  });

  it('reports a key a system lacks, and a split with no majority instead of guessing', () => {
    const d = peerDrift([sys('a', JVM), sys('b', JVM), sys('c', JVM.replace('-XX:+UseG1GC\n', ''))], 'jvm.options');
    expect(d.odd.map((o) => [o.system, o.keys.map((k) => [k.key, k.value])])).toEqual([['c', [['-XX:UseG1GC', null]]]]);
    const two = peerDrift([sys('a', JVM), sys('b', JVM.replace('-Xmx4g', '-Xmx8g'))], 'jvm.options');
    expect(two.odd).toEqual([]);
    expect(two.split).toEqual([{ key: '-Xmx', groups: [{ value: '4g', systems: ['a'] }, { value: '8g', systems: ['b'] }] }]);
  });

  it('does not call formatting drift', () => {
    const d = peerDrift([sys('a', '{"x":1}', 'c.json'), sys('b', '{ "x": 1 }', 'c.json'), sys('c', '{"x":1}', 'c.json')], 'c.json');
    expect(d.identical).toBe(false);
    expect(d.odd).toEqual([]);
  });
});

describe('drift report bounds', () => {
  it('a file that differs everywhere lists a bounded number of keys and counts them all', () => {
    const big = (v: string) => Array.from({ length: 300 }, (_, i) => `key${i} = ${v}`).join('\n');
    const d = peerDrift([sys('a', big('x')), sys('b', big('x')), sys('c', big('y'))], 'app.conf');
    expect(d.odd[0]!.keys).toHaveLength(50);
    expect(d.odd[0]!.keys_total).toBe(300);
    expect(d.odd[0]!.lines.added).toHaveLength(20);
  });
});
