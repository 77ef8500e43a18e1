using System.Globalization;
using System.Reflection;
using SelectBench.Common;
using Spectre.Console.Cli;

namespace SelectBench.Cli;

/// <summary>
/// Checks a command line's options against the command's settings before Spectre.Console.Cli binds them: Spectre
/// passes an unknown option on as a "remaining argument", so `train --batch 7` trained with batch 128 and exited 0,
/// and a value that does not convert said only "Failed to convert 'ten' to Nullable`1". Here an unknown option is
/// refused with the nearest valid name, and a number option's value is checked with the option's name.
/// </summary>
public static class OptionCheck
{
    // Spectre's own options, on every command.
    private static readonly string[] BuiltIn = ["help", "h", "?", "version", "v"];

    /// <summary>Throws a <see cref="SelectBenchException"/> for the first unknown option or unconvertible number; a line
    /// that names no [CliCommand] (a typo in the command, `--help`) is left to Spectre.</summary>
    public static void Check(IReadOnlyList<string> args, Assembly assembly)
    {
        if (Resolve(args, assembly) is not ({ } name, { } settings, var start)) return;
        var options = settings.GetProperties()
            .Select(p => (Property: p, Option: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(x => x.Option != null)
            .ToList();
        for (int i = start; i < args.Count; i++)
        {
            var token = args[i];
            if (token == "--") return; // what follows is not options
            if (!token.StartsWith('-') || token.Length == 1 || double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                continue; // an argument, or a negative number
            bool isLong = token.StartsWith("--", StringComparison.Ordinal);
            var body = token[(isLong ? 2 : 1)..];
            int equals = body.IndexOfAny(['=', ':']);
            var optionName = equals >= 0 ? body[..equals] : body;
            string? inline = equals >= 0 ? body[(equals + 1)..] : null;
            if (BuiltIn.Contains(optionName)) continue;
            var match = options.FirstOrDefault(o => isLong
                ? o.Option!.LongNames.Contains(optionName, StringComparer.Ordinal)
                : o.Option!.ShortNames.Contains(optionName, StringComparer.Ordinal));
            if (match.Option is null) throw Unknown(name, token, options.SelectMany(o => o.Option!.LongNames));
            if (match.Option.ValueName is null || match.Option.ValueIsOptional) continue; // a flag
            string? value = inline;
            if (value is null)
            {
                if (i + 1 >= args.Count) return; // Spectre says the value is missing
                value = args[++i];
            }
            CheckValue(token.Split('=')[0], value, match.Property.PropertyType);
        }
    }

    /// <summary>The command a line names ("data info" as two words; aliases too), its settings type, and where its options begin.</summary>
    private static (string Name, Type Settings, int Start)? Resolve(IReadOnlyList<string> args, Assembly assembly)
    {
        var commands = assembly.GetTypes()
            .Select(t => (Type: t, Attr: t.GetCustomAttribute<CliCommandAttribute>()))
            .Where(x => x.Attr != null);
        foreach (var (type, attr) in commands)
        {
            foreach (var name in attr!.Aliases.Append(attr.Name))
            {
                var words = name.Split(' ');
                if (args.Count < words.Length || !words.Select((w, k) => args[k] == w).All(x => x)) continue;
                var settings = type.BaseType is { IsGenericType: true } b ? b.GetGenericArguments()[0] : null;
                if (settings is null) return null;
                return (attr.Name, settings, words.Length);
            }
        }
        return null;
    }

    private static SelectBenchException Unknown(string command, string token, IEnumerable<string> longNames)
    {
        var name = token.Split('=')[0].TrimStart('-');
        var names = longNames.ToList();
        // A typo (Levenshtein), else a cut-short name ("--batch" for --batch-size).
        var nearest = Suggest.Nearest(name, names)
                      ?? (names.Where(n => n.StartsWith(name, StringComparison.OrdinalIgnoreCase)).ToList() is [var only] ? only : null);
        var hint = nearest is null ? "" : $" Did you mean --{nearest}?";
        return new SelectBenchException($"'{command}' has no option {token.Split('=')[0]}.{hint} `selectbench {command} --help` lists its options.");
    }

    private static void CheckValue(string option, string value, Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? (type.IsArray ? type.GetElementType()! : type);
        t = Nullable.GetUnderlyingType(t) ?? t;
        var inv = CultureInfo.InvariantCulture;
        bool ok = t switch
        {
            _ when t == typeof(int) => int.TryParse(value, NumberStyles.Integer, inv, out _),
            _ when t == typeof(long) => long.TryParse(value, NumberStyles.Integer, inv, out _),
            _ when t == typeof(double) => double.TryParse(value, NumberStyles.Float, inv, out _),
            _ when t == typeof(float) => float.TryParse(value, NumberStyles.Float, inv, out _),
            _ => true,
        };
        if (ok) return;
        var expected = t == typeof(int) || t == typeof(long) ? "an integer" : "a number";
        throw new SelectBenchException($"{option}: '{value}' is not {expected}.");
    }
}
