using System.Globalization;
using System.Text.Json;
using SelectBench.Evaluation.Corruptions;

// Applies SelectBench's corruptions to the image sets reference.py wrote, so compare.py can put them beside
// the reference's outputs. Usage: CorruptionDump <work folder> <set>[,<set>...] <corruption>[,...] <seed>[,...] [prefix]
// Reads <work>/input-<set>.u8 (N x C x H x W bytes) and input-<set>.json ({"shape": [N, C, H, W]}), and
// writes <work>/<prefix>-<set>-<corruption>-s<severity>-seed<seed>.u8 for severities 1..5 (prefix "ours").
if (args.Length is < 4 or > 5)
{
    Console.Error.WriteLine("usage: CorruptionDump <work folder> <set>[,<set>...] <corruption>[,...]|all <seed>[,<seed>...] [prefix]");
    return 2;
}
string prefix = args.Length == 5 ? args[4] : "ours";
string work = args[0];
string[] names = args[2] == "all" ? [.. Corruptions.Names] : args[2].Split(',');
ulong[] seeds = args[3].Split(',').Select(s => ulong.Parse(s, CultureInfo.InvariantCulture)).ToArray();
foreach (string set in args[1].Split(','))
{
    using var meta = JsonDocument.Parse(File.ReadAllText(Path.Combine(work, $"input-{set}.json")));
    int[] shape = meta.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
    byte[] pixels = File.ReadAllBytes(Path.Combine(work, $"input-{set}.u8"));
    foreach (string name in names)
    {
        var corruption = Corruptions.Get(name);
        foreach (ulong seed in seeds)
            for (int severity = 1; severity <= 5; severity++)
            {
                byte[] output = CorruptionSuite.CorruptPixels(pixels, shape[0], shape[1], shape[2], shape[3], corruption, severity, (long)seed);
                File.WriteAllBytes(Path.Combine(work, $"{prefix}-{set}-{name}-s{severity}-seed{seed}.u8"), output);
            }
    }
    Console.WriteLine($"{set}: {string.Join(",", names)} x severities 1-5 x seeds {string.Join(",", seeds)}");
}
return 0;
