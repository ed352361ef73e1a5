using LiveIm.RoomGateway;

var builder = WebApplication.CreateBuilder(args);
builder.AddRoomGateway();

var app = builder.Build();
app.MapRoomGateway();
app.Run();
