// A job's status as the Market contract numbers it (MarketTypes.sol's JobStatus), written once.
export const JOB_STATUS = ['None', 'Open', 'Assigned', 'Settled', 'Cancelled', 'Expired'] as const;
export type JobStatus = (typeof JOB_STATUS)[number];
