-- wrk script for bench/peers/run.sh: after the run, print the counts and the latency
-- percentiles (microseconds) in a form the suite parses. Nothing runs per request.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT requests=%d bytes=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("P %g %d\n", p, latency:percentile(p)))
  end
  -- The latency distribution for the chart: percentiles 1..99, then the tail.
  for _, p in ipairs({1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 99.99}) do
    io.write(string.format("D %g %d\n", p, latency:percentile(p)))
  end
end
