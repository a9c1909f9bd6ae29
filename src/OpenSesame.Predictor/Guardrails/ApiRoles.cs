namespace OpenSesame.Predictor.Guardrails;

/// <summary>
/// What an API key may do. A key holds any set of them; none implies another, so an operator's <c>admin</c> key
/// cannot predict unless it also says <c>predict</c>.
/// </summary>
public static class ApiRoles
{
    /// <summary><c>POST /predict</c>.</summary>
    public const string Predict = "predict";

    /// <summary>Reporting which prediction was taken (<c>POST /feedback</c>, to come).</summary>
    public const string Feedback = "feedback";

    /// <summary>Operating the service: model status today; cost analytics, retraining and specs later.</summary>
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Predict, Feedback, Admin];

    /// <summary>The role as the service spells it, or null when it is not one.</summary>
    public static string? Normalize(string? role) =>
        All.FirstOrDefault(r => string.Equals(r, role?.Trim(), StringComparison.OrdinalIgnoreCase));
}
