// The RCP's clinical response to each NEWS2 band (Royal College of Physicians, National Early Warning
// Score (NEWS) 2, 2017: chart 2 "NEWS thresholds and triggers" and chart 3 "clinical response").
import type { News2Risk } from '../fallback-rules/types.js';

export const NEWS2_RESPONSE: Record<News2Risk, { band: string; response: string }> = {
  none: {
    band: 'low clinical risk (0)',
    response: 'Continue routine NEWS monitoring (minimum 12-hourly).',
  },
  low: {
    band: 'low clinical risk',
    response:
      'Ward-based response: a registered nurse assesses the patient and decides whether to increase the frequency of monitoring or escalate care (minimum 4–6-hourly).',
  },
  'low-medium': {
    band: 'low–medium clinical risk (a single parameter scoring 3)',
    response:
      'Urgent ward-based response: a registered nurse informs the medical team caring for the patient, who review and decide whether escalation is needed (minimum 1-hourly).',
  },
  medium: {
    band: 'medium clinical risk',
    response:
      'Key threshold for urgent response: the registered nurse immediately informs the medical team; urgent assessment by a clinician with core competencies in acute illness (minimum 1-hourly).',
  },
  high: {
    band: 'high clinical risk',
    response:
      'Emergency response: immediately inform the medical team (at least specialist registrar level); emergency assessment by a team with critical-care competencies; consider transfer to a higher level of care (continuous monitoring).',
  },
};

export const NEWS2_SOURCE_URL = 'https://www.rcp.ac.uk/improving-care/resources/national-early-warning-score-news-2/';
