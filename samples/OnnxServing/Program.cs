// Serves a click model exported by `robegen export` over HTTP with ONNX Runtime, as a .NET service would deploy it:
//
//   dotnet run -c Release --project samples/OnnxServing -- --model m.onnx --urls http://localhost:5080
//   curl -s localhost:5080/model
//   curl -s localhost:5080/predict -H 'content-type: application/json' \
//        -d '{"rows":[{"dense":[1,2,0,0,5,0,0,0,0,0,0,0,0],"ids":{"C1":1752832,"C2":3218}}]}'
//
// A model with multi-hot tables takes their bags by table name beside the ids, e.g.
//        -d '{"rows":[{"dense":[12.5],"ids":{"User":17},"bags":{"Tags":[3,3,7]}}]}'
//
// A row names its tables' raw ids; a table it leaves out gets the missing-id token (a bag table: an empty bag). Answers
// {"probabilities":[...]}, or 400 with one line saying what is wrong with the request.
using OnnxServing;

var builder = WebApplication.CreateSlimBuilder(args);
if (builder.Configuration["model"] is not { } modelPath || !File.Exists(modelPath))
{
    Console.Error.WriteLine($"OnnxServing: give an existing exported model with --model PATH (written by 'robegen export'); got '{builder.Configuration["model"]}'.");
    return 2;
}
builder.Services.AddSingleton(new ClickModel(modelPath));
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServingJson.Default));

var app = builder.Build();
app.MapGet("/model", (ClickModel model) => model.Describe());
app.MapPost("/predict", (PredictRequest request, ClickModel model) =>
{
    try
    {
        return Results.Ok(new PredictResponse(model.Predict(request.Rows)));
    }
    catch (BadRequestException e)
    {
        return Results.Problem(e.Message, statusCode: StatusCodes.Status400BadRequest);
    }
});
app.Run();
return 0;
