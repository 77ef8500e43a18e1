using System.Globalization;
using System.Text;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Brace expansion for shard lists, as WebDataset's braceexpand does: <c>shards/{00000..00123}.tar</c> is a
/// numeric range (zero-padded to the width of the first bound when it has leading zeros or both bounds have
/// the same width), <c>{a,b,c}</c> a list; several groups expand as a product, left to right.
/// </summary>
public static class ShardPattern
{
    /// <summary>Upper bound on expansions, so a typo like {0..99999999} is an error, not a hang.</summary>
    public const int MaxExpansions = 1_000_000;

    public static IReadOnlyList<string> Expand(string pattern)
    {
        var results = new List<string>();
        ExpandInto(pattern, results);
        return results;
    }

    private static void ExpandInto(string pattern, List<string> results)
    {
        int open = pattern.IndexOf('{');
        if (open < 0)
        {
            if (pattern.Contains('}')) throw new SelectBenchException($"Shard pattern '{pattern}' has a '}}' without '{{'.");
            results.Add(pattern);
            return;
        }
        int close = pattern.IndexOf('}', open + 1);
        if (close < 0) throw new SelectBenchException($"Shard pattern '{pattern}' has a '{{' without '}}'.");
        var body = pattern[(open + 1)..close];
        var prefix = pattern[..open];
        var suffix = pattern[(close + 1)..];
        foreach (var choice in Choices(body, pattern))
        {
            ExpandInto(prefix + choice + suffix, results);
            if (results.Count > MaxExpansions)
                throw new SelectBenchException($"Shard pattern '{pattern}' expands to more than {MaxExpansions:N0} names.");
        }
    }

    private static IEnumerable<string> Choices(string body, string pattern)
    {
        int dots = body.IndexOf("..", StringComparison.Ordinal);
        if (dots >= 0)
        {
            var a = body[..dots];
            var b = body[(dots + 2)..];
            if (!long.TryParse(a, NumberStyles.None, CultureInfo.InvariantCulture, out var from) ||
                !long.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var to))
                throw new SelectBenchException($"Shard pattern '{pattern}': range {{{body}}} needs two non-negative integers, like {{00000..00123}}.");
            if (to < from) throw new SelectBenchException($"Shard pattern '{pattern}': range {{{body}}} runs backwards.");
            if (to - from >= MaxExpansions) throw new SelectBenchException($"Shard pattern '{pattern}' expands to more than {MaxExpansions:N0} names.");
            int width = a.Length > 1 && a[0] == '0' || a.Length == b.Length ? a.Length : 0;
            return Range(from, to, width);
        }
        if (body.Length == 0) throw new SelectBenchException($"Shard pattern '{pattern}' has an empty '{{}}'.");
        return body.Split(',');
    }

    private static IEnumerable<string> Range(long from, long to, int width)
    {
        for (long i = from; i <= to; i++)
            yield return i.ToString(CultureInfo.InvariantCulture).PadLeft(width, '0');
    }
}
