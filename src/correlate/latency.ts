// Pure latency figures of a log2 histogram, shared by the summary and the function counts.
import {bucketQuantile, bucketQuantileOpen, bucketTotal, openBucketCount, type Bucket} from '../bpftrace/parse.js';

// count, p50/p99 in ns (upper bound of their bucket; the lower bound where it is open-ended, and then
// p50AtLeast/p99AtLeast say so) and how many calls lie in open-ended buckets (bounded on one side only: bpftrace
// 0.17-0.19's hist() values of 2^31 ns or more); null when nothing was counted.
export function latency(buckets: Bucket[] | undefined) {
  return buckets && bucketTotal(buckets) > 0
    ? {
        count: bucketTotal(buckets),
        p50Ns: bucketQuantile(buckets, 0.5),
        p99Ns: bucketQuantile(buckets, 0.99),
        p50AtLeast: bucketQuantileOpen(buckets, 0.5),
        p99AtLeast: bucketQuantileOpen(buckets, 0.99),
        openBuckets: openBucketCount(buckets),
      }
    : null;
}
