using RobeGen.Data;
using RobeGen.Data.Tabular;

namespace RobeGen.Tests.Data.Tabular;

/// <summary>RFC 4180 records: the fields and line numbers expected by hand for each quoting case.</summary>
public sealed class DelimitedRecordReaderTests
{
    private static List<(long Line, string[] Fields)> Records(string text, char delimiter = ',')
    {
        using var reader = new DelimitedRecordReader(new StringReader(text), "t.csv", delimiter);
        var records = new List<(long, string[])>();
        while (reader.Read()) records.Add((reader.Line, Enumerable.Range(0, reader.FieldCount).Select(i => reader.Field(i).ToString()).ToArray()));
        return records;
    }

    [Fact]
    public void Plain_fields_lf_and_crlf_and_a_missing_final_newline()
    {
        var records = Records("a,b,c\r\n1,,3\n4,5,6");
        Assert.Equal(new[] { 1L, 2, 3 }, records.Select(r => r.Line));
        Assert.Equal(new[] { "a", "b", "c" }, records[0].Fields);
        Assert.Equal(new[] { "1", "", "3" }, records[1].Fields);
        Assert.Equal(new[] { "4", "5", "6" }, records[2].Fields);
    }

    [Fact]
    public void Quoted_fields_hold_delimiters_doubled_quotes_and_line_breaks()
    {
        var records = Records("id,text\n1,\"a, b\"\n2,\"say \"\"hi\"\"\"\n3,\"two\nlines\"\n4,\"\"\n");
        Assert.Equal(new[] { "1", "a, b" }, records[1].Fields);
        Assert.Equal(new[] { "2", "say \"hi\"" }, records[2].Fields);
        Assert.Equal(new[] { "3", "two\nlines" }, records[3].Fields);
        Assert.Equal(new[] { "4", "" }, records[4].Fields);
        // The record after a two-line field starts on line 6.
        Assert.Equal(new[] { 1L, 2, 3, 4, 6 }, records.Select(r => r.Line));
    }

    [Theory]
    [InlineData('\t')]
    [InlineData(';')]
    [InlineData('|')]
    public void Any_delimiter(char delimiter)
    {
        var records = Records($"x{delimiter}\"y{delimiter}z\"{delimiter}w\n", delimiter);
        Assert.Equal(new[] { "x", $"y{delimiter}z", "w" }, Assert.Single(records).Fields);
    }

    [Fact]
    public void Blank_lines_are_skipped()
    {
        var records = Records("a\n\n\nb\n\n");
        Assert.Equal(new[] { "a", "b" }, records.Select(r => r.Fields.Single()));
        Assert.Equal(new[] { 1L, 4 }, records.Select(r => r.Line));
    }

    [Fact]
    public void An_unterminated_quote_names_the_line_it_opened_on()
    {
        var e = Assert.Throws<DataFormatException>(() => Records("a,b\n1,\"open\n2,3\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("never closed", e.Message);
        Assert.StartsWith("t.csv, line 2", e.Message);
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var e = Assert.Throws<DataFormatException>(() => Records("a,b\n\"x\"y,1\n"));
        Assert.Equal(2, e.Line);
        Assert.Contains("follows the closing quote", e.Message);
    }
}
