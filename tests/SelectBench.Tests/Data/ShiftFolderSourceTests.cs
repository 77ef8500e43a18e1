using SelectBench.Data;

namespace SelectBench.Tests.Data;

public class ShiftFolderSourceTests
{
    [Fact]
    public void A_saved_shift_folder_loads_as_a_data_source()
    {
        var folder = Directory.CreateTempSubdirectory("sb-shift-src").FullName;
        try
        {
            var set = new ImageSet(new byte[3 * 4], [0, 1, 1], LabelSet.Numbered(2), 1, 2, 2, ["a", "b", "c"]);
            ImageSetStore.Save(set, Path.Combine(folder, "images"));
            File.WriteAllText(Path.Combine(folder, "shift.json"), "{}");
            var loaded = DataSources.Load(folder, new DataLoadOptions(UseCache: false)).Images;
            Assert.Equal(["a", "b", "c"], loaded.Ids);
            Assert.Equal([0, 1, 1], loaded.Labels);
        }
        finally { Directory.Delete(folder, true); }
    }
}
