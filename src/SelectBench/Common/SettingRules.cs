using System.Globalization;
using SelectBench.Common;

namespace SelectBench.Common;

/// <summary>Checks on settings values; each error names the field, the bad value and what is allowed.</summary>
public static class SettingRules
{
    private static string Show(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    public static void Positive(string where, string field, int value)
    {
        if (value <= 0) throw new SelectBenchException($"{where}.{field}: {value} is not allowed; give a positive integer.");
    }

    public static void Positive(string where, string field, double value)
    {
        if (!(value > 0) || double.IsInfinity(value))
            throw new SelectBenchException($"{where}.{field}: {Show(value)} is not allowed; give a positive finite number.");
    }

    public static void NonNegative(string where, string field, double value)
    {
        if (!(value >= 0) || double.IsInfinity(value))
            throw new SelectBenchException($"{where}.{field}: {Show(value)} is not allowed; give a finite number >= 0.");
    }

    public static void InRange(string where, string field, double value, double min, double max)
    {
        if (!(value >= min && value <= max))
            throw new SelectBenchException($"{where}.{field}: {Show(value)} is not allowed; give a number in [{Show(min)}, {Show(max)}].");
    }

    public static void OneOf(string where, string field, string value, params string[] allowed)
    {
        if (!allowed.Contains(value, StringComparer.Ordinal))
            throw new SelectBenchException($"{where}.{field}: '{value}' is not allowed; use one of {string.Join(", ", allowed.Select(a => $"'{a}'"))}.");
    }

    public static void NotEmpty(string where, string field, string value)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new SelectBenchException($"{where}.{field}: must not be empty; give a name.");
    }
}
