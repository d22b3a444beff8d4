using System.Globalization;
using System.Text;
using ParquetSharp;

namespace ShopClicks;

/// <summary>
/// Writes a synthetic click log in the shop's columns, as CSV (with a header and a quoted field, as spreadsheets
/// export it) or Parquet: a hidden rule makes clicks likelier for some countries, items and cheap prices, so there is
/// something to learn. Seeded: the same seed writes the same rows.
/// <para>
/// A "tags" column holds a list of 0 to 4 tags per row (a multi-hot column: in the CSV separated by '|', the list
/// separator the readers take by default, in Parquet a LIST of strings); ShopModel's <c>Tags</c> table reads it as a bag
/// of ids per row and averages their embeddings.
/// </para>
/// </summary>
internal static class ShopLog
{
    private static readonly string[] Countries = ["fr", "de", "it", "es", "nl", "be", "pt", "pl", "se", "dk"];
    private static readonly string[] Devices = ["phone", "desktop", "tablet"];
    private static readonly string[] TagNames = ["sale", "new", "gift", "eco", "bundle", "premium", "local", "clearance"];

    private sealed record Row(int Clicked, double Price, int? Age, double Score, string User, string Item, string Country, string Device, string Note,
        string[] Tags);

    private static IEnumerable<Row> Rows(int count, int seed)
    {
        var random = new Random(seed);
        var tagRandom = new Random(seed + 1_000); // a stream of its own: the other columns are the rows they were before tags
        for (int r = 0; r < count; r++)
        {
            int country = random.Next(Countries.Length);
            int item = (int)Math.Floor(Math.Pow(random.NextDouble(), 2) * 2000); // popular items come up more often
            double price = Math.Round(Math.Exp(random.NextDouble() * 7), 2);     // 1 .. 1100
            int? age = random.Next(10) == 0 ? null : 18 + random.Next(60);       // sometimes unknown
            double logit = (country % 3 - 1) * 1.2 + (item % 7 == 0 ? 1.5 : -0.3) - Math.Log(price) * 0.4 + (age is < 30 ? 0.5 : 0);
            int clicked = random.NextDouble() < 1 / (1 + Math.Exp(-logit)) ? 1 : 0;
            yield return new Row(clicked, price, age, Math.Round(random.NextDouble(), 3), "u" + random.Next(5000), "item-" + item,
                Countries[country], Devices[random.Next(Devices.Length)], r % 50 == 0 ? "gift, wrapped" : "",
                Enumerable.Range(0, tagRandom.Next(5)).Select(_ => TagNames[tagRandom.Next(TagNames.Length)]).ToArray());
        }
    }

    public static void WriteCsv(string path, int rows, int seed, bool labeled = true)
    {
        using var writer = new StreamWriter(path, false, new UTF8Encoding(false));
        writer.WriteLine((labeled ? "clicked," : "") + "price,age,score,user_id,item_id,country,device,note,tags");
        foreach (Row r in Rows(rows, seed))
        {
            string note = r.Note.Length == 0 ? "" : "\"" + r.Note.Replace("\"", "\"\"") + "\"";
            string tags = string.Join('|', r.Tags); // empty: no tags (an empty bag)
            writer.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(labeled ? r.Clicked + "," : "")}{r.Price},{r.Age},{r.Score},{r.User},{r.Item},{r.Country},{r.Device},{note},{tags}"));
        }
    }

    public static void WriteParquet(string path, int rows, int seed)
    {
        Row[] data = Rows(rows, seed).ToArray();
        var columns = new Column[]
        {
            new Column<bool>("clicked"), new Column<double>("price"), new Column<int?>("age"), new Column<double>("score"),
            new Column<string>("user_id"), new Column<string>("item_id"), new Column<string>("country"), new Column<string>("device"),
            new Column<string[]>("tags"),
        };
        using var file = new ParquetFileWriter(path, columns);
        using (RowGroupWriter group = file.AppendRowGroup())
        {
            using (var c = group.NextColumn().LogicalWriter<bool>()) c.WriteBatch(data.Select(r => r.Clicked == 1).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(data.Select(r => r.Price).ToArray());
            using (var c = group.NextColumn().LogicalWriter<int?>()) c.WriteBatch(data.Select(r => r.Age).ToArray());
            using (var c = group.NextColumn().LogicalWriter<double>()) c.WriteBatch(data.Select(r => r.Score).ToArray());
            foreach (Func<Row, string> text in new Func<Row, string>[] { r => r.User, r => r.Item, r => r.Country, r => r.Device })
                using (var c = group.NextColumn().LogicalWriter<string>()) c.WriteBatch(data.Select(text).ToArray());
            using (var c = group.NextColumn().LogicalWriter<string[]>()) c.WriteBatch(data.Select(r => r.Tags).ToArray());
        }
        file.Close();
    }
}
