import { join } from 'node:path';
import { describeWithBinary, promtool } from './support/prometheus';
import { PROMETHEUS_DIR, readYaml } from './support/repo';
import { AWAITING_RULE_GROUPS, ruleGroups } from './support/rules';

interface RuleTests {
  tests: Array<{ name: string; alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
}

const alerts = ruleGroups().flatMap((group) => group.rules);
const unitTests = readYaml<RuleTests>(join(PROMETHEUS_DIR, 'alerts.test.yml')).tests.flatMap(
  (test) => test.alert_rule_test ?? [],
);

describeWithBinary('promtool', 'deploy/prometheus with promtool', () => {
  it('prometheus.yml is a valid config whose rule files exist', () => {
    expect(promtool(['check', 'config', 'prometheus.yml'])).toMatch(/SUCCESS: prometheus\.yml is valid/);
  });

  it('alerts.yml holds valid rules', () => {
    expect(promtool(['check', 'rules', 'alerts.yml'])).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('every alert passes its unit tests (alerts.test.yml)', () => {
    expect(promtool(['test', 'rules', 'alerts.test.yml'])).toContain('SUCCESS');
  });

  it.each(alerts.map((rule) => [rule.alert, rule]))(
    '%s is tested firing, has a severity and says what to do',
    (name, rule) => {
      expect(unitTests.some((test) => test.alertname === name && test.exp_alerts.length > 0)).toBe(true);
      expect(['critical', 'warning', 'info']).toContain(rule.labels?.['severity']);
      expect(Object.keys(rule.annotations ?? {}).sort()).toEqual(['description', 'summary']);
    },
  );

  it('marks as awaiting only groups that exist', () => {
    const names = ruleGroups().map((group) => group.name);
    for (const group of Object.keys(AWAITING_RULE_GROUPS)) expect(names).toContain(group);
  });
});
