using System.Reflection;
using SelectBench.Bench;

// Benchmarks are measured programs, not unit tests. Each class implementing IBenchmark is one
// benchmark, run by name: dotnet run -c Release --project bench/SelectBench.Bench -- <name> [options]
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();
if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine("usage: dotnet run -c Release --project bench/SelectBench.Bench -- <benchmark> [options]");
    foreach (var b in benchmarks) Console.WriteLine($"  {b.Name,-24} {b.Description}");
    return args.Length == 0 ? 2 : 0;
}
var chosen = benchmarks.FirstOrDefault(b => b.Name == args[0]);
if (chosen == null)
{
    Console.Error.WriteLine($"unknown benchmark '{args[0]}'; run with --help for the list");
    return 2;
}
return chosen.Run(args[1..]);
