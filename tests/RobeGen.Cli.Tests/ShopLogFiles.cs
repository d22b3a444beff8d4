using System.Globalization;
using System.Text;
using ParquetSharp;

namespace RobeGen.Cli.Tests;

/// <summary>
/// A click log of samples/ShopClicks' ShopModel columns, written by the tests themselves as CSV or Parquet, with a rule to
/// learn: some countries, every 7th item and cheap prices click more. The tags column is a list of 0 to 4 tags per row
/// ('|'-separated in CSV, a LIST of strings in Parquet), drawn from a random stream of its own.
/// </summary>
internal static class ShopLogFiles
{
    private static readonly string[] Countries = ["fr", "de", "it", "es", "nl", "be", "pt", "pl", "se", "dk"];
    private static readonly string[] TagNames = ["sale", "new", "gift", "eco", "bundle", "premium", "local", "clearance"];

    public sealed record Row(bool Clicked, double Price, int? Age, double Score, string User, string Item, string Country, string Device, string[] Tags);

    /// <summary>ShopClicks.dll, built beside the tests in the same configuration.</summary>
    public static string ShopClicksDll()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
        string dll = Robegen.RepositoryFile(Path.Combine("samples", "ShopClicks", "bin", configuration, "net10.0", "ShopClicks.dll"));
        Assert.True(File.Exists(dll), $"{dll} is built before the CLI tests (a project reference of the test project)");
        return dll;
    }

    public static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        var tagRandom = new Random(seed + 1_000); // its own stream: the other columns are the rows they were before tags
        var rows = new Row[count];
        for (int r = 0; r < count; r++)
        {
            int country = random.Next(Countries.Length), item = random.Next(300);
            double price = Math.Round(Math.Exp(random.NextDouble() * 6), 2);
            double logit = (country % 3 - 1) * 1.5 + (item % 7 == 0 ? 1.5 : -0.3) - Math.Log(price) * 0.4;
            string[] tags = [.. Enumerable.Range(0, tagRandom.Next(5)).Select(_ => TagNames[tagRandom.Next(TagNames.Length)])];
            rows[r] = new Row(random.NextDouble() < 1 / (1 + Math.Exp(-logit)), price, random.Next(10) == 0 ? null : 18 + random.Next(60),
                Math.Round(random.NextDouble(), 3), "u" + random.Next(500), "item-" + item, Countries[country], r % 2 == 0 ? "phone" : "desktop", tags);
        }
        return rows;
    }

    public static void WriteCsv(string path, Row[] rows, bool labeled = true, bool withCountry = true)
    {
        var text = new StringBuilder((labeled ? "clicked," : "") + "price,age,score,user_id,item_id," + (withCountry ? "country," : "") + "device,tags\n");
        foreach (Row r in rows)
        {
            text.Append(CultureInfo.InvariantCulture, $"{(labeled ? (r.Clicked ? "1," : "0,") : "")}{r.Price},{r.Age},{r.Score},{r.User},\"{r.Item}\",");
            text.Append(withCountry ? r.Country + "," : "").Append(r.Device).Append(',').Append(string.Join('|', r.Tags)).Append('\n');
        }
        File.WriteAllText(path, text.ToString());
    }

    public static void WriteParquet(string path, Row[] rows)
    {
        var columns = new Column[]
        {
            new Column<bool>("clicked"), new Column<double>("price"), new Column<int?>("age"), new Column<double>("score"),
            new Column<string>("user_id"), new Column<string>("item_id"), new Column<string>("country"), new Column<string>("device"),
            new Column<string[]>("tags"),
        };
        using var file = new ParquetFileWriter(path, columns);
        using (RowGroupWriter group = file.AppendRowGroup())
        {
            using (var c = group.NextColumn().LogicalWriter<bool>()) c.WriteBatch(rows.Select(r => r.Clicked).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(rows.Select(r => r.Price).ToArray());
            using (var c = group.NextColumn().LogicalWriter<int?>()) c.WriteBatch(rows.Select(r => r.Age).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(rows.Select(r => r.Score).ToArray());
            foreach (Func<Row, string> text in new Func<Row, string>[] { r => r.User, r => r.Item, r => r.Country, r => r.Device })
                using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(rows.Select(text).ToArray());
            using (var c = group.NextColumn().LogicalWriter<string[]>()) c.WriteBatch(rows.Select(r => r.Tags).ToArray());
        }
        file.Close();
    }
}
