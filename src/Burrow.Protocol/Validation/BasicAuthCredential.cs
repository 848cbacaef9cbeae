using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>
/// One parsed <c>user:password</c> entry of <see cref="EndpointOptions.BasicAuth"/>. Its
/// <see cref="ToString"/> never shows the password.
/// </summary>
public sealed class BasicAuthCredential
{
    /// <summary>The shortest password accepted, as ngrok does.</summary>
    public const int MinPasswordLength = 8;

    /// <summary>The longest password accepted.</summary>
    public const int MaxPasswordLength = 128;

    /// <summary>The longest user name accepted.</summary>
    public const int MaxUserLength = 128;

    // SHA-256 of "user:password", the form a Basic Authorization header decodes to; comparing
    // digests in fixed time hides both content and length of the configured secret.
    private readonly byte[] _digest;

    private BasicAuthCredential(string user, string password)
    {
        User = user;
        Password = password;
        _digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{user}:{password}"));
    }

    /// <summary>The user name; never empty and never contains <c>:</c>.</summary>
    public string User { get; }

    /// <summary>The password; 8 to 128 characters, may contain <c>:</c>.</summary>
    public string Password { get; }

    /// <summary>
    /// Parses an entry. The first <c>:</c> separates user from password, so a user name cannot
    /// contain one. The error names the entry as <c>user:***</c>, never with its password.
    /// </summary>
    /// <param name="value">The entry, for example <c>alice:correct-horse</c>.</param>
    /// <param name="credential">The credential, when valid.</param>
    /// <param name="error">An <c>ERR_BURROW_2004</c> error, when not.</param>
    /// <param name="option">The option name used in the error, for example <c>basic_auth[0]</c>.</param>
    /// <returns>Whether the entry is valid.</returns>
    public static bool TryParse(
        string? value,
        [NotNullWhen(true)] out BasicAuthCredential? credential,
        [NotNullWhen(false)] out ProtocolError? error,
        string option = "basic_auth")
    {
        credential = null;
        int colon = value?.IndexOf(':', StringComparison.Ordinal) ?? -1;
        if (value is null || colon < 0)
        {
            error = Invalid(option, null, "expected user:password");
            return false;
        }

        string user = value[..colon];
        string password = value[(colon + 1)..];
        string? reason =
            user.Length == 0 ? "the user name is empty"
            : user.Length > MaxUserLength ? $"the user name is longer than {MaxUserLength} characters"
            : user.Any(char.IsControl) ? "the user name contains control characters"
            : password.Length < MinPasswordLength ? $"the password must be at least {MinPasswordLength} characters"
            : password.Length > MaxPasswordLength ? $"the password must be at most {MaxPasswordLength} characters"
            : password.Any(char.IsControl) ? "the password contains control characters"
            : null;
        if (reason is not null)
        {
            error = Invalid(option, user, reason);
            return false;
        }

        credential = new BasicAuthCredential(user, password);
        error = null;
        return true;
    }

    /// <summary>
    /// Checks the decoded value of a <c>Basic</c> Authorization header (<c>user:password</c> in
    /// UTF-8) against this credential, in time that does not depend on where they differ.
    /// </summary>
    /// <param name="userColonPassword">The base64-decoded header value.</param>
    /// <returns>Whether user and password both match.</returns>
    public bool Matches(ReadOnlySpan<byte> userColonPassword)
    {
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(userColonPassword, digest);
        return CryptographicOperations.FixedTimeEquals(digest, _digest);
    }

    /// <summary>Shows the entry as <c>user:***</c>.</summary>
    /// <returns>The user name and a mask.</returns>
    public override string ToString() => $"{User}:***";

    private static ProtocolError Invalid(string option, string? user, string reason) =>
        ErrorCodes.InvalidOptionValue.ToError(
            user is null ? option : $"{option} {ErrorText.Quote(user + ":***")}", reason);
}
