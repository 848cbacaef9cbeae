-- wrk script for bench/memory/rss.sh: remembers the first answer that is not 2xx/3xx (status,
-- Burrow's error code, the start of the body) so a failed run says why. Runs per response, so
-- req/s from this run is not a throughput figure.
local first = nil
response = function(status, headers, body)
  if first == nil and status >= 400 then
    first = string.format("%d %s %s", status, headers["Burrow-Error-Code"] or headers["burrow-error-code"] or "-",
      string.sub(string.gsub(body or "", "%s+", " "), 1, 160))
    io.stderr:write("FIRST-ERROR " .. first .. "\n")
  end
end
