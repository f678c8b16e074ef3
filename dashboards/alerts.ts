import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { ALERTING_LABEL as AL, ALERTING_METRIC as A } from '../core/naming';
import { composeDashboard } from './compose';
import { datasourceVariable, dsRef } from './datasources';
import { BOARD, boardUid } from './hierarchy';
import { ZERO_IS_GOOD, type PanelSpec } from './panels';
import { legendOf, promTarget, selector } from './promql';
import { scalingAnnotation, WORKLOAD } from './replica-set';
import { hierarchyVariables } from './variables';

const ds = dsRef('prometheus');

function alerts(): PanelSpec[] {
  const by = [AL.alertname, AL.severity];
  return [
    { title: 'Alerts firing', description: 'Alert instances firing now.', kind: 'stat', datasource: ds, unit: 'short', w: 6, thresholds: ZERO_IS_GOOD, targets: [promTarget(`sum(${A.alertsFiring})`)] },
    { title: 'Firing by rule', description: 'Firing instances by rule and severity.', kind: 'table', datasource: ds, unit: 'short', w: 18,
      targets: [promTarget(`sum by (${by.join(', ')}) (${A.alertsFiring})`).instant()] },
    { title: 'Firing over time', description: 'Firing instances per rule.', kind: 'timeseries', datasource: ds, unit: 'short', w: 24, stacked: true,
      targets: [promTarget(`sum by (${AL.alertname}) (${A.alertsFiring})`, legendOf([AL.alertname]))] },
  ];
}

function autoscaling(): PanelSpec[] {
  const decisions = selector(A.autoscalerDecisions, WORKLOAD);
  const history = [AL.workload, AL.direction, AL.reason];
  return [
    { title: 'Desired vs current replicas', description: 'The autoscaler\'s stabilized recommendation against what the orchestrator reported.', kind: 'timeseries', datasource: ds, unit: 'short', w: 24,
      targets: [
        promTarget(`max by (${AL.workload}) (${selector(A.autoscalerDesiredReplicas, WORKLOAD)})`, `desired {{${AL.workload}}}`),
        promTarget(`max by (${AL.workload}) (${selector(A.autoscalerCurrentReplicas, WORKLOAD)})`, `current {{${AL.workload}}}`),
      ] },
    { title: 'Decisions by direction', description: 'Evaluations per interval that left a decision record.', kind: 'timeseries', datasource: ds, unit: 'short', stacked: true,
      targets: [promTarget(`sum by (${AL.workload}, ${AL.direction}) (increase(${decisions}[$__rate_interval]))`, `{{${AL.workload}}} {{${AL.direction}}}`)] },
    { title: 'Decision history with reasons', description: 'Decisions in the time range by workload, direction and limiting reason.', kind: 'table', datasource: ds, unit: 'short',
      targets: [promTarget(`sum by (${history.join(', ')}) (increase(${decisions}[$__range]))`).instant()] },
  ];
}

export function alertsDashboard(): dashboard.Dashboard {
  return composeDashboard({
    uid: boardUid(BOARD.alerts),
    title: 'cargoscope / Alerts and autoscaling',
    description: 'Firing alerts and the autoscaler\'s decisions with their reasons (cargoscope alerting, via Prometheus).',
    tags: ['prometheus', 'alerting'],
    variables: [datasourceVariable('prometheus'), ...hierarchyVariables('prometheus', ['namespace', 'replicaset'], new Set(['namespace', 'replicaset']))],
    sections: [
      { title: 'Alerts', panels: alerts() },
      { title: 'Autoscaling', panels: autoscaling() },
    ],
    annotations: [scalingAnnotation()],
  });
}
