using System.Net.Http;
using System.Security.Cryptography;
using SelectBench.Common;

namespace SelectBench.Data;

/// <summary>
/// Finds and loads Fashion-MNIST (Xiao, Rasul, Vollgraf 2017; https://github.com/zalandoresearch/fashion-mnist,
/// MIT licence): 60,000 train and 10,000 test images, 1x28x28, ten classes (<see cref="LabelSet.FashionMnist"/>).
/// Where it looks, in order: an explicit folder; $SELECTBENCH_FASHION_MNIST; /usr/share/datasets/fashion-mnist
/// (Debian/Ubuntu package dataset-fashion-mnist); an earlier download in the cache; a download from the
/// official URLs (when allowed and the network answers); otherwise an error that says how to get the files.
/// Every file is checked against pinned SHA-256 sums (see docs/data.md for their provenance).
/// </summary>
public static class FashionMnist
{
    public const string EnvironmentVariable = "SELECTBENCH_FASHION_MNIST";
    public const string SystemFolder = "/usr/share/datasets/fashion-mnist";
    /// <summary>The official download location named in the fashion-mnist README.</summary>
    public static readonly Uri OfficialBaseUrl = new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/");

    /// <summary>One of the four files, with both pinned sums.</summary>
    /// <param name="Name">File name without ".gz".</param>
    /// <param name="GzipSha256">SHA-256 of the official .gz download (checked before a download is kept).</param>
    /// <param name="ContentSha256">SHA-256 of the decompressed IDX content (checked on every load). Distribution
    /// packages may re-compress the files (Debian's strips the gzip name and time stamp), so the content sum is the
    /// one that holds for every copy.</param>
    public sealed record FileSpec(string Name, string GzipSha256, string ContentSha256);

    public static readonly FileSpec TrainImages = new("train-images-idx3-ubyte",
        "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888");
    public static readonly FileSpec TrainLabels = new("train-labels-idx1-ubyte",
        "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9");
    public static readonly FileSpec TestImages = new("t10k-images-idx3-ubyte",
        "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b");
    public static readonly FileSpec TestLabels = new("t10k-labels-idx1-ubyte",
        "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

    public static IReadOnlyList<FileSpec> Files { get; } = [TrainImages, TrainLabels, TestImages, TestLabels];

    public const int TrainCount = 60_000;
    public const int TestCount = 10_000;

    /// <summary>Loads the train and test sets (ids "train/00042", "test/00042").</summary>
    /// <param name="folder">A folder holding the four files (.gz or plain); null searches as described on the class.</param>
    public static (ImageSet Train, ImageSet Test) Load(string? folder = null, DataLoadOptions? options = null)
    {
        var dir = Locate(folder, options ?? DataLoadOptions.Default);
        return (LoadSplit(dir, train: true), LoadSplit(dir, train: false));
    }

    /// <summary>Loads one split from a folder found by <see cref="Locate"/>.</summary>
    public static ImageSet LoadSplit(string folder, bool train)
    {
        var (imagesSpec, labelsSpec) = train ? (TrainImages, TrainLabels) : (TestImages, TestLabels);
        var imagesPath = FindFile(folder, imagesSpec)!;
        var labelsPath = FindFile(folder, labelsSpec)!;
        var images = ReadVerified(imagesPath, imagesSpec);
        var labels = ReadVerified(labelsPath, labelsSpec);
        return IdxReader.ToImageSet(images, labels, imagesPath, labelsPath, LabelSet.FashionMnist, train ? "train" : "test", null);
    }

    /// <summary>
    /// The folder holding all four files. <paramref name="folder"/> (or the environment variable) is used
    /// alone when given, so a typo is reported rather than silently replaced by another copy.
    /// </summary>
    public static string Locate(string? folder, DataLoadOptions options) =>
        Locate(folder, options, OfficialBaseUrl, [SystemFolder], Environment.GetEnvironmentVariable(EnvironmentVariable));

    internal static string Locate(string? folder, DataLoadOptions options, Uri baseUrl, IReadOnlyList<string> systemFolders, string? env)
    {
        if (folder != null) return RequireComplete(folder, "the given folder");
        if (!string.IsNullOrWhiteSpace(env)) return RequireComplete(env, $"${EnvironmentVariable}");
        foreach (var system in systemFolders)
            if (IsComplete(system)) return system;
        var downloads = Path.Combine(DataCache.Root(options), "downloads", "fashion-mnist");
        if (IsComplete(downloads)) return downloads;
        string why = "downloads are switched off";
        if (options.AllowDownload)
        {
            try
            {
                Download(downloads, baseUrl, options.DownloadTimeout ?? TimeSpan.FromSeconds(60));
                return downloads;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException or SelectBenchException)
            {
                why = $"the download from {baseUrl} failed ({e.Message.ReplaceLineEndings(" ")})";
            }
        }
        throw new SelectBenchException(
            $"Fashion-MNIST not found in {string.Join(", ", systemFolders.Append(downloads))} and {why}. " +
            $"Install it with 'sudo apt-get install dataset-fashion-mnist', or set {EnvironmentVariable} to a folder " +
            $"holding {string.Join(", ", Files.Select(f => f.Name + ".gz"))}.");
    }

    private static string RequireComplete(string folder, string what)
    {
        if (!Directory.Exists(folder))
            throw new SelectBenchException($"Fashion-MNIST folder {folder} ({what}) does not exist.");
        var missing = Files.Where(f => FindFile(folder, f) == null).Select(f => f.Name + "[.gz]").ToArray();
        if (missing.Length > 0)
            throw new SelectBenchException($"Fashion-MNIST folder {folder} ({what}) lacks {string.Join(", ", missing)}.");
        return folder;
    }

    private static bool IsComplete(string folder) => Directory.Exists(folder) && Files.All(f => FindFile(folder, f) != null);

    private static string? FindFile(string folder, FileSpec spec)
    {
        foreach (var name in new[] { spec.Name + ".gz", spec.Name })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    private static IdxReader.IdxArray ReadVerified(string path, FileSpec spec)
    {
        var array = IdxReader.Read(path);
        var sum = IdxReader.ContentSha256(array);
        if (sum != spec.ContentSha256)
            throw new BadInputException(path,
                $"its content does not match the official Fashion-MNIST {spec.Name} (SHA-256 {sum}, expected {spec.ContentSha256}). " +
                "Replace it with the original file, or load it as a plain IDX pair by path.");
        return array;
    }

    /// <summary>Downloads the four files into <paramref name="folder"/>, keeping each only if its SHA-256 matches.</summary>
    private static void Download(string folder, Uri baseUrl, TimeSpan timeout)
    {
        using var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(5) };
        using var http = new HttpClient(handler) { Timeout = timeout };
        foreach (var spec in Files)
        {
            var target = Path.Combine(folder, spec.Name + ".gz");
            if (File.Exists(target)) continue;
            var url = new Uri(baseUrl, spec.Name + ".gz");
            byte[] bytes;
            using (var response = http.Send(new HttpRequestMessage(HttpMethod.Get, url)))
            {
                response.EnsureSuccessStatusCode();
                using var body = new MemoryStream();
                response.Content.ReadAsStream().CopyTo(body);
                bytes = body.ToArray();
            }
            var sum = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (sum != spec.GzipSha256)
                throw new SelectBenchException($"{url}: SHA-256 {sum} does not match the pinned {spec.GzipSha256}; the download was not kept.");
            AtomicFile.WriteAllBytes(target, bytes);
        }
    }
}

/// <summary>Reads <c>fashion-mnist</c>, <c>fashion-mnist:train</c> and <c>fashion-mnist:test</c> from wherever <see cref="FashionMnist.Locate"/> finds it.</summary>
[Registered(DataSources.FashionMnistName, Description = "fashion-mnist[:train|test]: Fashion-MNIST, found locally or downloaded and checked against pinned SHA-256 sums")]
public sealed class FashionMnistReader : IImageSetReader
{
    public bool CanRead(SourceSpec spec) => spec.Source.Equals(DataSources.FashionMnistName, StringComparison.OrdinalIgnoreCase);

    public DataLoadResult Read(SourceSpec spec, DataLoadOptions options, CancellationToken token)
    {
        var split = spec.Split ?? "train";
        bool train = split switch
        {
            "train" => true,
            "test" => false,
            _ => throw new SelectBenchException($"Fashion-MNIST has splits 'train' and 'test', not '{split}'."),
        };
        var folder = FashionMnist.Locate(null, options);
        var images = train ? FashionMnist.TrainImages : FashionMnist.TestImages;
        var labels = train ? FashionMnist.TrainLabels : FashionMnist.TestLabels;
        var inputs = Directory.GetFiles(folder).Where(f => Path.GetFileName(f).StartsWith(images.Name, StringComparison.Ordinal)
                                                            || Path.GetFileName(f).StartsWith(labels.Name, StringComparison.Ordinal)).ToArray();
        token.ThrowIfCancellationRequested();
        var resolved = new ResolvedSource($"fashion-mnist-{split}", $"fashion-mnist:{split} ({folder})", inputs,
            _ => (FashionMnist.LoadSplit(folder, train), []));
        // Fashion-MNIST's content is fixed by its checksums, so options that only affect decoding of
        // encoded images do not change it; the cache key still includes them, which is harmless.
        return DataSources.Cached(resolved, options);
    }
}
