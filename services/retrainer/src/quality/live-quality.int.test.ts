import { describe, expect, it } from 'vitest';
import type { FraudDecision } from '@fraud/contracts';
import { createDecisionLabelTopics, testDecision } from '@fraud/contracts/testing';
import { freePort, stackSettings, testKafka, uniqueName } from '@fraud/test-support';
import { spawnLiveQualityExporter } from '../testing/live-quality-exporter.ts';

describe('live quality exporter', () => {
  it('serves per-model precision and recall from decisions joined with labels on a real broker', async () => {
    const settings = stackSettings();
    const kafka = testKafka(settings, 'live-quality-test');
    const base = uniqueName('live-quality');
    const { topics, produce } = await createDecisionLabelTopics(kafka, settings.schemaRegistryUrl, base);
    // 40 decisions: the first 10 flagged; frauds are 0..4 and 20..24 -> review precision 0.5, recall 0.5.
    const decisions: FraudDecision[] = Array.from({ length: 40 }, (_, i) =>
      testDecision({
        transactionId: `${base}-${i}`,
        score: i < 10 ? 0.7 : 0.01,
        decision: i < 10 ? 'REVIEW' : 'ALLOW',
        thresholds: { review: 0.5, block: 0.9 },
        modelVersion: 'live-champ',
        eventTime: 1_700_000_000_000 + i,
        scoredAt: 1_700_000_000_100 + i,
      }),
    );
    await produce(
      decisions,
      decisions.map((d, i) => ({
        transactionId: d.transactionId,
        isFraud: i < 5 || (i >= 20 && i < 25),
        source: 'analyst',
        labeledAt: d.scoredAt + 1,
      })),
    );

    const exporter = spawnLiveQualityExporter({
      kafkaBrokers: settings.kafkaBrokers,
      schemaRegistryUrl: settings.schemaRegistryUrl,
      topics,
      port: await freePort(),
    });
    try {
      let text = '';
      const deadline = Date.now() + 60_000;
      const expected = 'fraud_live_labelled_transactions{model_version="live-champ",role="champion"} 40';
      while (Date.now() < deadline && !text.includes(expected)) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        text = await fetch(`${exporter.url}/metrics`)
          .then((r) => r.text())
          .catch(() => '');
      }
      expect(text).toContain(expected);
      expect(text).toContain(
        'fraud_live_precision{model_version="live-champ",role="champion",level="review"} 0.5',
      );
      expect(text).toContain(
        'fraud_live_recall{model_version="live-champ",role="champion",level="review"} 0.5',
      );
      expect(text).toContain('fraud_live_recall{model_version="live-champ",role="champion",level="block"} 0');
    } finally {
      await exporter.stop();
    }
  });
});
