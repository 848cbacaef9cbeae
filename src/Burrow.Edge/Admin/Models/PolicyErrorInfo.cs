namespace Burrow.Edge.Admin.Models;

/// <summary>One mistake in a traffic policy document.</summary>
/// <param name="Line">Its line, from 1; 0 when it is about the whole document (its size, say).</param>
/// <param name="Column">Its column, from 1; 0 with <paramref name="Line"/> 0.</param>
/// <param name="Path">The key path, <c>on_http_request[0].actions[1].config.status_code</c>; empty for the document.</param>
/// <param name="Message">What is wrong and what to write instead.</param>
public sealed record PolicyErrorInfo(
    int Line,
    int Column,
    string Path,
    string Message);
