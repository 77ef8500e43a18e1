using System.Buffers.Binary;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Parquet;
using Parquet.Schema;
using SelectBench.Benchmark;
using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Data;
using SelectBench.Tests.Data;
using SelectBench.Tests.Training;
using SelectBench.Training;
using SkiaSharp;
using Xunit.Abstractions;

namespace SelectBench.Tests.Common;

/// <summary>
/// Fuzzes every reader of outside input (issue 12, "Done when"): valid seed files made here are damaged by FsCheck-generated
/// mutations (bit flips, truncations, inserted and overwritten bytes; one to three per input), and each damaged input
/// must give a result or a <see cref="SelectBenchException"/>: never another exception type, and never a hang (each
/// input gets <see cref="PerInput"/>). The mutations come from fixed seeds, so a failure names the seed, the input's
/// index and its mutations, and reruns the same way. Counts keep the whole class well under a minute on 2 cores.
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    /// <summary>Far longer than any one input takes; only a hang reaches it.</summary>
    private static readonly TimeSpan PerInput = TimeSpan.FromSeconds(30);

    /// <summary>One change to a file: what kind, where (a position modulo the length), which byte and how many.</summary>
    public sealed record Mutation(int Kind, int Position, byte Value, int Count)
    {
        public byte[] Apply(byte[] input)
        {
            if (input.Length == 0) return Kind == 2 ? Enumerable.Repeat(Value, Count).ToArray() : input;
            int at = (int)((uint)Position % (uint)input.Length);
            switch (Kind)
            {
                case 0: // flip one bit
                    var flipped = (byte[])input.Clone();
                    flipped[at] ^= (byte)(1 << (Value % 8));
                    return flipped;
                case 1: // truncate
                    return input[..at];
                case 2: // insert bytes
                    return [.. input[..at], .. Enumerable.Repeat(Value, Count), .. input[at..]];
                default: // overwrite bytes (0xFF and 0x7F runs make huge sizes and counts)
                    var written = (byte[])input.Clone();
                    for (int i = at; i < Math.Min(written.Length, at + Count); i++) written[i] = Value;
                    return written;
            }
        }

        public override string ToString() =>
            $"{(Kind switch { 0 => "flip bit", 1 => "truncate at", 2 => "insert", _ => "overwrite" })} {Position} value 0x{Value:X2} count {Count}";
    }

    private static readonly Gen<Mutation> OneMutation =
        from kind in Gen.Choose(0, 3)
        from position in Gen.Choose(0, int.MaxValue)
        from value in Gen.Elements<byte>(0x00, 0x01, 0x7F, 0x80, 0xFF, 0x2E, 0x0A, 0x3A, 0x26, 0x2A)
        from count in Gen.Choose(1, 16)
        select new Mutation(kind, position, value, count);

    private static readonly Gen<Mutation[]> Mutations = Gen.Choose(1, 3).SelectMany(n => Gen.ArrayOf(OneMutation, n));

    /// <summary>
    /// Runs <paramref name="read"/> on <paramref name="count"/> mutated copies of <paramref name="seedFile"/>, the mutations drawn
    /// from <paramref name="seed"/>; collects every input that threw another exception type or did not finish.
    /// </summary>
    private void Fuzz(string reader, byte[] seedFile, ulong seed, int count, Action<byte[]> read)
    {
        read(seedFile); // the undamaged seed is read without error
        var samples = Gen.Sample(Mutations, count, new Rnd(seed), 30);
        var failures = new List<string>();
        int refused = 0;
        for (int i = 0; i < samples.Length; i++)
        {
            var input = samples[i].Aggregate(seedFile, (bytes, m) => m.Apply(bytes));
            var task = Task.Run(() => read(input));
            string? failure = null;
            try
            {
                if (!task.Wait(PerInput)) failure = $"did not finish within {PerInput.TotalSeconds:0} s (a hang)";
            }
            catch (AggregateException e) when (e.InnerException is SelectBenchException)
            {
                refused++;
            }
            catch (AggregateException e)
            {
                failure = $"{e.InnerException!.GetType().FullName}: {e.InnerException.Message}\n{e.InnerException.StackTrace}";
            }
            if (failure != null)
                failures.Add($"{reader} seed {seed} input {i} ({string.Join("; ", samples[i].Select(m => m.ToString()))}): {failure}");
        }
        output.WriteLine($"{reader}: {samples.Length} mutated inputs, {refused} refused with a SelectBenchException, {failures.Count} failures.");
        Assert.True(failures.Count == 0, string.Join("\n\n", failures.Take(5)) + (failures.Count > 5 ? $"\n... and {failures.Count - 5} more" : ""));
    }

    private static byte[] Idx(int[] dims, byte[] data)
    {
        var header = new byte[4 + 4 * dims.Length];
        header[2] = 0x08;
        header[3] = (byte)dims.Length;
        for (int d = 0; d < dims.Length; d++) BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4 + 4 * d), dims[d]);
        return [.. header, .. data];
    }

    [Fact]
    public void Idx_files()
    {
        using var tmp = new TempFolder();
        var images = Idx([6, 4, 4], Enumerable.Range(0, 96).Select(i => (byte)(i * 7)).ToArray());
        var labels = tmp.File("labels.idx");
        File.WriteAllBytes(labels, Idx([6], [0, 1, 2, 0, 1, 2]));
        var path = tmp.File("images.idx");
        Fuzz("IDX", images, seed: 1201, count: 1000, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            IdxReader.ReadPair(path, labels, null, "t");
        });
        var gz = tmp.File("images.idx.gz");
        using (var ms = new MemoryStream())
        {
            using (var z = new System.IO.Compression.GZipStream(ms, System.IO.Compression.CompressionLevel.Fastest)) z.Write(images);
            Fuzz("IDX gzip", ms.ToArray(), seed: 1202, count: 600, bytes =>
            {
                File.WriteAllBytes(gz, bytes);
                IdxReader.Read(gz);
            });
        }
    }

    [Fact]
    public void WebDataset_tar_shards()
    {
        using var tmp = new TempFolder();
        var set = TinyData.Blocks(4, 3, size: 8);
        var shard = WebDatasetWriter.Write(set, tmp.Path).Single();
        var seedFile = File.ReadAllBytes(shard);
        var path = tmp.File("fuzz.tar");
        int n = 0;
        Fuzz("tar", seedFile, seed: 1203, count: 1000, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            // Alternate the policies: fail refuses the first bad member, skip must survive all of them.
            var policy = n++ % 2 == 0 ? BadInputPolicy.Fail : BadInputPolicy.Skip;
            WebDatasetReader.Read([path], new DataLoadOptions(policy, UseCache: false, OnWarning: _ => { }));
        });
    }

    [Theory]
    [InlineData("png", 1204)]
    [InlineData("jpeg", 1205)]
    public void Png_and_jpeg_decoding(string format, ulong seed)
    {
        var px = Fixtures.Solid(12, 10, 200, 40, 90);
        for (int i = 0; i < px.Length; i++) px[i] ^= (byte)(i * 13);
        var encoded = ImageCodec.Encode(px, 3, 12, 10, format == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
        Fuzz(format, encoded, seed, count: 1000, bytes =>
        {
            ImageCodec.Decode(bytes, $"fuzz.{format}", ImageTransform.AsIs, maxPixels: 1 << 20);
            ImageCodec.Decode(bytes, $"fuzz.{format}", ImageTransform.Resize(6, 1), maxPixels: 1 << 20);
        });
    }

    [Fact]
    public async Task Parquet_files()
    {
        using var tmp = new TempFolder();
        var seedPath = tmp.File("seed.parquet");
        var schema = new ParquetSchema(
            new StructField("image", new DataField<byte[]>("bytes"), new DataField<string>("path")),
            new DataField<long>("label"));
        var leaves = schema.GetDataFields();
        byte[][] images = [Fixtures.Png(4, 4, 255, 0, 0), Fixtures.Png(4, 4, 0, 255, 0), Fixtures.Png(4, 4, 0, 0, 255)];
        await using (var fs = File.Create(seedPath))
        await using (var writer = await ParquetWriter.CreateAsync(schema, fs))
        using (var group = writer.CreateRowGroup())
        {
            await group.WriteAsync(leaves[0], images);
            await group.WriteAsync(leaves[1], images.Select((_, i) => $"{i}.png").ToArray());
            await group.WriteAsync<long>(leaves[2], new long[] { 2, 0, 1 }.AsMemory());
        }
        var path = tmp.File("fuzz.parquet");
        Fuzz("parquet", File.ReadAllBytes(seedPath), seed: 1206, count: 600, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            ParquetImageReader.Read([path], new DataLoadOptions(UseCache: false, OnWarning: _ => { }));
        });
    }

    [Fact]
    public void Cifar_binary_batches()
    {
        using var tmp = new TempFolder();
        var dir = Directory.CreateDirectory(tmp.File("cifar-10-batches-bin")).FullName;
        byte[] Record(byte label, byte fill) => [label, .. Enumerable.Repeat(fill, 3072)];
        var seedFile = (byte[])[.. Record(3, 10), .. Record(9, 200)];
        var path = Path.Combine(dir, "test_batch.bin");
        Fuzz("CIFAR", seedFile, seed: 1207, count: 600, bytes =>
        {
            File.WriteAllBytes(path, bytes);
            CifarReader.Read(CifarReader.Variant.Cifar10, dir, "test", new DataLoadOptions(UseCache: false, OnWarning: _ => { }));
        });
    }

    /// <summary>The text of a config file of the repository (configs/), found from the test's folder upward.</summary>
    private static string Config(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "configs", name)))
                return File.ReadAllText(Path.Combine(dir.FullName, "configs", name));
        throw new FileNotFoundException($"configs/{name} not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Run_and_curation_config_yaml()
    {
        var run = Encoding.UTF8.GetBytes(Config("run-tiny.yaml"));
        Fuzz("run config", run, seed: 1208, count: 800, bytes => RunConfig.Parse(Encoding.UTF8.GetString(bytes), "fuzz.yaml"));
        var curation = Encoding.UTF8.GetBytes(Config("curation-quick.yaml"));
        Fuzz("curation config", curation, seed: 1209, count: 800, bytes => CurationConfig.Parse(Encoding.UTF8.GetString(bytes), "fuzz.yaml"));
        Fuzz("yaml", curation, seed: 1210, count: 800, bytes => SettingsBinder.ParseYaml(Encoding.UTF8.GetString(bytes), "fuzz.yaml"));
    }

    [Fact]
    public void Checkpoint_loader()
    {
        var recipe = new TrainingRecipe(Model: "resnet20", Width: 0.25, Epochs: 1, BatchSize: 20, LearningRate: 0.05, WarmupEpochs: 0,
            Augmentation: new AugmentationSettings(Crop: "none", HorizontalFlip: false), Seed: 3, Threads: 1);
        var dir = TinyData.TempFolder("fuzz-ckpt");
        try
        {
            var checkpoint = new Trainer(recipe, new TrainerOptions(ShowProgress: false)).Train(TinyData.Blocks(30, 8, size: 8), null, null, dir).CheckpointPath;
            var path = Path.Combine(dir, "fuzz.ckpt");
            Fuzz("checkpoint", File.ReadAllBytes(checkpoint), seed: 1211, count: 400, bytes =>
            {
                File.WriteAllBytes(path, bytes);
                TrainingCheckpoint.LoadModel(path).Model.Dispose();
            });
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
