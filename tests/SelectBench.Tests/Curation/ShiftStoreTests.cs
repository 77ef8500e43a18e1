using SelectBench.Common;
using SelectBench.Curation;
using SelectBench.Curation.Crowd;
using SelectBench.Curation.Strategies;
using SelectBench.Data;

namespace SelectBench.Tests.Curation;

public class ShiftStoreTests
{
    [Fact]
    public void SavedShiftLoadsWithProvenanceCostsAndReport()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 4), [0, 0, 1, 1], Enumerable.Range(0, 4).Select(i => TinyWorld.At(i)).ToArray());
        var shift = new ExpertSample(new ExpertSettings()).Build(world.Context(4)) with { OverheadCost = 1.25 };
        var dir = Directory.CreateTempSubdirectory("shift-");
        try
        {
            ShiftStore.Save(shift, dir.FullName);
            Assert.True(ShiftStore.Exists(dir.FullName));
            var back = ShiftStore.Load(dir.FullName);
            Assert.Equal(shift.Images.Ids, back.Images.Ids);
            Assert.Equal(shift.Provenance, back.Provenance);
            Assert.Equal(shift.TotalCost, back.TotalCost, 12);
            Assert.Equal(shift.Report.ClassCounts, back.Report.ClassCounts);
            Assert.Equal(shift.Report.Notes, back.Report.Notes);
        }
        finally { dir.Delete(recursive: true); }
    }

    [Fact]
    public void TheFingerprintIsSavedBesideTheShiftAndAChangedImageIsRefused()
    {
        var world = new TinyWorld(new LabelSet(["a", "b"]));
        world.AddSet("baseline", TinyWorld.Ids("e", 4), [0, 0, 1, 1], Enumerable.Range(0, 4).Select(i => TinyWorld.At(i)).ToArray());
        var shift = new ExpertSample(new ExpertSettings()).Build(world.Context(4));
        var dir = Directory.CreateTempSubdirectory("shift-");
        try
        {
            var saved = ShiftStore.Save(shift, dir.FullName);
            Assert.Equal(ContentFingerprint.Of(shift.Images), saved);
            Assert.Equal(64, saved.Length);
            Assert.Contains($"\"fingerprint\": \"{saved}\"", File.ReadAllText(Path.Combine(dir.FullName, "shift.json")));
            Assert.Equal(saved, ShiftStore.LoadWithFingerprint(dir.FullName).Fingerprint);
            // The same shift relabelled is other data: the fingerprint covers labels, not just pixels.
            Assert.NotEqual(saved, ContentFingerprint.Of(shift.Images.WithLabels(shift.Images.Labels.Select(l => 1 - l).ToArray())));

            var pixels = Path.Combine(dir.FullName, "images", "pixels.u8");
            var bytes = File.ReadAllBytes(pixels);
            bytes[0] ^= 1;
            File.WriteAllBytes(pixels, bytes);
            var e = Assert.Throws<BadInputException>(() => ShiftStore.Load(dir.FullName));
            Assert.Contains("changed after curation", e.Message);
            Assert.Contains(ContentFingerprint.Short(saved), e.Message);
        }
        finally { dir.Delete(recursive: true); }
    }
}

public class CrowdFilesTests
{
    [Fact]
    public void ReadsVotesAndMappingCsvAndNamesBadLines()
    {
        var dir = Directory.CreateTempSubdirectory("crowd-");
        try
        {
            string votes = Path.Combine(dir.FullName, "votes.csv"), mapping = Path.Combine(dir.FullName, "mapping.csv");
            File.WriteAllText(votes, "image_id,worker_id,label\ni0,w1,\"tank top\"\ni0,w2,t-shirt\n");
            File.WriteAllText(mapping, "source_label,target_label\ntank top,T-shirt/top\nt-shirt,T-shirt/top\n\"hat, wool\",none\n");
            var images = new ImageSet(new byte[4], [0], LabelSet.FashionMnist, 1, 2, 2, ["i0"]);
            var crowd = CrowdFiles.Load(images, votes, mapping);
            Assert.Equal(["tank top", "t-shirt", "hat, wool"], crowd.SourceTaxonomy);
            Assert.Equal(new CrowdVote("i0", "w1", "tank top"), crowd.Votes[0]);
            Assert.False(crowd.Simulated);

            File.WriteAllText(votes, "image_id,worker_id,label\ni0,w1\n");
            var e = Assert.Throws<BadInputException>(() => CrowdFiles.Load(images, votes, mapping));
            Assert.EndsWith("votes.csv line 2", e.Item);
        }
        finally { dir.Delete(recursive: true); }
    }
}
