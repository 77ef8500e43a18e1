using System.Globalization;
using System.Text.Json.Nodes;
using SelectBench.Common;

namespace SelectBench.Reporting;

/// <summary>One proxy on the cost/decision-accuracy plane (docs/prediction.md).</summary>
public sealed record FrontierPoint(string Proxy, string Family, double CostRatio, double DecisionAccuracy, double Low, double High, double KendallTau);

/// <summary>What the report shows of a `selectbench predict` run: its proxies and its predicted ranking.</summary>
/// <param name="Ranks">Shift -> (predicted rank, full-run rank or null), in predicted order.</param>
public sealed record PredictionSummary(string RankedBy, string? Recommendation, IReadOnlyList<FrontierPoint> Points,
    IReadOnlyList<(string Shift, int PredictedRank, int? FullRank)> Ranks);

/// <summary>
/// The report's proxy section (docs/prediction.md#report): the cost/decision-accuracy frontier of the proxies that
/// `selectbench predict --full` scored, and the shifts' predicted rank beside their rank in full training. It reads
/// &lt;run&gt;/prediction/prediction.json (written there by predict's default --out) as plain JSON, so the report does not
/// depend on the prediction code; a run without one gets no section.
/// </summary>
public static class ProxyFrontierChart
{
    public const string PredictionFolder = "prediction";
    public const string PredictionFile = "prediction.json";

    /// <summary>The prediction stored in a run folder, or null when predict has not been run into it.</summary>
    public static PredictionSummary? ReadFromRun(string runFolder)
    {
        var path = Path.Combine(runFolder, PredictionFolder, PredictionFile);
        return File.Exists(path) ? Read(path) : null;
    }

    /// <summary>Shift -> predicted rank, for a "predicted rank" leaderboard column; empty without a prediction.</summary>
    public static IReadOnlyDictionary<string, int> PredictedRanks(string runFolder) =>
        ReadFromRun(runFolder)?.Ranks.ToDictionary(r => r.Shift, r => r.PredictedRank) ?? new Dictionary<string, int>();

    public static PredictionSummary Read(string path)
    {
        var root = Json.Read<JsonObject>(path);
        var points = new List<FrontierPoint>();
        foreach (var p in root["proxies"]?.AsArray() ?? [])
        {
            if (p?["decision_accuracy"] is not JsonObject d || p["cost_ratio"] is null) continue;
            points.Add(new FrontierPoint(p["name"]!.GetValue<string>(), p["family"]?.GetValue<string>() ?? "", Number(p["cost_ratio"]),
                Number(d["estimate"]), Number(d["low"]), Number(d["high"]), Number(p["kendall_tau"])));
        }
        var ranks = (root["shifts"]?.AsArray() ?? []).Select(s => (s!["name"]!.GetValue<string>(), s["predicted_rank"]!.GetValue<int>(),
            s["full_rank"]?.GetValue<int>())).ToList();
        return new PredictionSummary(root["ranked_by"]?.GetValue<string>() ?? "", root["recommendation"]?["proxy"]?.GetValue<string>(), points, ranks);
    }

    /// <summary>Indices of the points no other point beats on both axes (cheaper or as cheap, and more accurate), by cost.</summary>
    public static IReadOnlyList<int> Frontier(IReadOnlyList<FrontierPoint> points)
    {
        var order = Enumerable.Range(0, points.Count).Where(i => double.IsFinite(points[i].CostRatio) && double.IsFinite(points[i].DecisionAccuracy))
            .OrderBy(i => points[i].CostRatio).ThenByDescending(i => points[i].DecisionAccuracy).ToList();
        var frontier = new List<int>();
        double best = double.NegativeInfinity;
        foreach (var i in order)
            if (points[i].DecisionAccuracy > best)
            {
                frontier.Add(i);
                best = points[i].DecisionAccuracy;
            }
        return frontier;
    }

    /// <summary>The frontier chart: cost as a share of full training (log scale) against decision accuracy.</summary>
    public static ChartImage Draw(IReadOnlyList<FrontierPoint> points) =>
        Charts.LabelledScatter("Proxies: cost against decision accuracy", "CPU-seconds as a share of full training", "decision accuracy",
            points.Select(p => p.CostRatio).ToList(), points.Select(p => p.DecisionAccuracy).ToList(), points.Select(p => p.Proxy).ToList(),
            Frontier(points), logX: true);

    /// <summary>
    /// Writes the report's "proxies" section (BenchmarkReport's parts): the frontier chart, the proxy table and the
    /// predicted ranks, or, for a run without a prediction, how to make one.
    /// </summary>
    public static void Write(HtmlReport report, PredictionSummary? prediction)
    {
        if (prediction is null)
        {
            report.Note("This run has no prediction. `selectbench predict --config CONFIG --full RUN` scores cheap proxies " +
                        "against it and adds the cost/decision-accuracy frontier here (docs/prediction.md).");
            return;
        }
        var inv = CultureInfo.InvariantCulture;
        report.Paragraph("Each proxy is scored against full training: decision accuracy is the share of shift pairs it orders like full training " +
            "(DataDecide, Magnusson et al. 2025), with a 95% bootstrap interval over seeds; cost is its CPU-seconds over those of full training. " +
            "The dashed line joins the proxies no cheaper proxy beats (docs/prediction.md).");
        if (prediction.Points.Count > 0)
        {
            report.Chart(Draw(prediction.Points), "cost against decision accuracy of each proxy");
            report.Table(["proxy", "family", "cost (share of full)", "decision accuracy [95% CI]", "Kendall's tau"],
                prediction.Points.OrderBy(p => p.CostRatio).Select(p => (IReadOnlyList<string>)
                [
                    p.Proxy, p.Family, p.CostRatio.ToString("0.###", inv),
                    $"{p.DecisionAccuracy.ToString("0.##", inv)} [{p.Low.ToString("0.##", inv)}, {p.High.ToString("0.##", inv)}]",
                    double.IsFinite(p.KendallTau) ? p.KendallTau.ToString("0.##", inv) : "–",
                ]), id: "proxy-table");
        }
        else
        {
            report.Note("No full run was given to predict, so the proxies have no decision accuracy here; the ranking below rests on the reference runs.");
        }
        report.Subheading($"Predicted rank (by {prediction.RankedBy})");
        report.Table(["predicted rank", "shift", "full-run rank"],
            prediction.Ranks.Select(r => (IReadOnlyList<string>)[r.PredictedRank.ToString(inv), r.Shift, r.FullRank?.ToString(inv) ?? "–"]),
            id: "predicted-rank");
    }

    private static double Number(JsonNode? node) => node is null ? double.NaN
        : node.GetValueKind() == System.Text.Json.JsonValueKind.String ? double.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture)
        : node.GetValue<double>();
}
