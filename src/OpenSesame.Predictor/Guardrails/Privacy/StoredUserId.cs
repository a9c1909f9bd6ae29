using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenSesame.Predictor.Guardrails.Privacy;

/// <summary>
/// How a request's <c>user_id</c> is written to the audit log, the cost ledger and the outcome log: as sent, unless it
/// carries personal data (an e-mail address is a common user id), which is then replaced by a pseudonym, "pii-" and 16
/// hex digits of its SHA-256. The same id always gives the same pseudonym, so a user's records still group and join,
/// and <c>opensesame audit --user</c> finds them by the id itself. A digest is not a secret: whoever can guess the
/// address can check the guess.
/// </summary>
public static class StoredUserId
{
    public const string Prefix = "pii-";

    public static string? Of(string? userId)
    {
        if (userId is not { Length: > 0 })
        {
            return userId;
        }

        bool personal;
        try
        {
            personal = PiiDetector.Detect(userId).Count > 0;
        }
        catch (RegexMatchTimeoutException)
        {
            // Could not be checked in time: kept out of the logs in clear, as if it were personal.
            personal = true;
        }

        return personal ? Prefix + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(userId)))[..16] : userId;
    }
}
