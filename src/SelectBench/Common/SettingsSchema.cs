using System.Globalization;
using System.Reflection;

namespace SelectBench.Common;

/// <summary>One setting of a settings record as a config names it: snake_case key, type and default.</summary>
public sealed record SettingField(string Key, string Type, string Default);

/// <summary>
/// Reads a settings record's shape from its primary constructor, the same constructor
/// <see cref="SettingsBinder"/> binds: the fields <c>selectbench list</c> prints, and the config section that
/// binds back to a given record.
/// </summary>
public static class SettingsSchema
{
    private static readonly NullabilityInfoContext Nullability = new();

    /// <summary>The settings of a record type, in constructor order.</summary>
    public static IReadOnlyList<SettingField> Fields(Type settings) =>
        Constructor(settings).GetParameters()
            .Select(p => new SettingField(SettingsBinder.SnakeCase(p.Name!), TypeName(p),
                p.HasDefaultValue ? Show(p.DefaultValue) : "required"))
            .ToList();

    /// <summary>
    /// The config section (snake_case keys; text, lists and mappings, as parsed YAML gives them) that
    /// <see cref="SettingsBinder.Bind(Type, IReadOnlyDictionary{string, object?}, string)"/> turns back into
    /// <paramref name="settings"/>. Null values are left out, so they bind to their (null) defaults.
    /// </summary>
    public static IReadOnlyDictionary<string, object?> ToSection(object settings)
    {
        var type = settings.GetType();
        var section = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in Constructor(type).GetParameters())
        {
            var property = type.GetProperty(p.Name!)
                ?? throw new InvalidOperationException($"{type.Name}: constructor argument {p.Name} has no property of the same name.");
            var value = property.GetValue(settings);
            if (value == null)
            {
                if (p.HasDefaultValue && p.DefaultValue == null) continue;
                throw new InvalidOperationException($"{type.Name}.{p.Name} is null but its default is not; a config cannot say that.");
            }
            section[SettingsBinder.SnakeCase(p.Name!)] = ToConfigValue(value);
        }
        return section;
    }

    private static ConstructorInfo Constructor(Type type) =>
        type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();

    private static object ToConfigValue(object value) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f when value.GetType().IsPrimitive => f.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable list => list.Cast<object>().Select(ToConfigValue).Cast<object?>().ToList(),
        _ => ToSection(value),
    };

    private static string TypeName(ParameterInfo p)
    {
        var t = p.ParameterType;
        if (Nullable.GetUnderlyingType(t) is { } inner) return Simple(inner) + "?";
        var nullable = !t.IsValueType && Nullability.Create(p).WriteState == NullabilityState.Nullable;
        return Simple(t) + (nullable ? "?" : "");
    }

    private static string Simple(Type t)
    {
        if (t == typeof(string)) return "string";
        if (t == typeof(int)) return "int";
        if (t == typeof(long)) return "long";
        if (t == typeof(double)) return "double";
        if (t == typeof(bool)) return "bool";
        if (t.IsArray) return Simple(t.GetElementType()!) + "[]";
        if (t.IsGenericType && t.GetGenericTypeDefinition() == typeof(IReadOnlyList<>)) return Simple(t.GetGenericArguments()[0]) + "[]";
        return t.Name;
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
