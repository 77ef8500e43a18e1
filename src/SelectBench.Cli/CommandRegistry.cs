using System.Reflection;
using SelectBench.Common;
using Spectre.Console.Cli;

namespace SelectBench.Cli;

/// <summary>Marks a Spectre.Console.Cli command class with its name ("train", or "data info" for a branch).</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class CliCommandAttribute(string name, string description) : Attribute
{
    public string Name { get; } = name;
    public string Description { get; } = description;
    public string[] Examples { get; init; } = [];

    /// <summary>Other names of the command, e.g. an old name kept for one release; they run the command as it is, printing nothing extra.</summary>
    public string[] Aliases { get; init; } = [];
}

/// <summary>Finds every [CliCommand] class and registers it, grouping "group name" commands under branches.</summary>
public static class CommandRegistry
{
    private static readonly MethodInfo AddCommandMethod =
        typeof(IConfigurator).GetMethod(nameof(IConfigurator.AddCommand))!;
    private static readonly MethodInfo AddBranchCommandMethod =
        typeof(IConfigurator<CommandSettings>).GetMethod(nameof(IConfigurator<CommandSettings>.AddCommand))!;

    public static void Register(IConfigurator config, Assembly assembly)
    {
        var commands = assembly.GetTypes()
            .Select(t => (Type: t, Attr: t.GetCustomAttribute<CliCommandAttribute>()))
            .Where(x => x.Attr != null)
            .OrderBy(x => x.Attr!.Name, StringComparer.Ordinal)
            .ToList();
        foreach (var group in commands.GroupBy(c => c.Attr!.Name.Contains(' ') ? c.Attr.Name.Split(' ')[0] : ""))
        {
            if (group.Key == "")
            {
                foreach (var (type, attr) in group) Add(config, type, attr!, attr!.Name);
            }
            else
            {
                config.AddBranch(group.Key, branch =>
                {
                    branch.SetDescription($"{group.Key} commands");
                    foreach (var (type, attr) in group)
                    {
                        var name = attr!.Name.Split(' ', 2)[1];
                        var configurator = AddBranchCommandMethod.MakeGenericMethod(type).Invoke(branch, [name])!;
                        Describe(configurator, attr);
                    }
                });
            }
        }
    }

    private static void Add(IConfigurator config, Type type, CliCommandAttribute attr, string name)
    {
        var configurator = AddCommandMethod.MakeGenericMethod(type).Invoke(config, [name])!;
        Describe(configurator, attr);
    }

    private static void Describe(object configurator, CliCommandAttribute attr)
    {
        var c = (ICommandConfigurator)configurator;
        c.WithDescription(attr.Description);
        foreach (var alias in attr.Aliases) c.WithAlias(alias);
        foreach (var example in attr.Examples) c.WithExample(example.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>
    /// Errors the user can fix: bad options or input, and every file-system error (a read-only folder, a full disk),
    /// which would otherwise end the process with exit 134 and a stack trace (docs/running.md, "Refusals").
    /// </summary>
    public static bool IsUserError(Exception e) =>
        Unwrap(e) is SelectBenchException or CommandParseException or CommandRuntimeException
            or IOException or UnauthorizedAccessException;

    /// <summary>The error's message on one line; a file-system error (not a missing file) also names its cause.</summary>
    public static string UserMessage(Exception e)
    {
        var error = Unwrap(e);
        return error is (IOException or UnauthorizedAccessException) and not (FileNotFoundException or DirectoryNotFoundException)
            ? IoErrors.Describe(error)
            : error.Message.ReplaceLineEndings(" ");
    }

    private static Exception Unwrap(Exception e) =>
        e is TargetInvocationException { InnerException: { } inner } ? Unwrap(inner) : e;
}
