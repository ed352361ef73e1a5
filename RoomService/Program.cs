using LiveIm.RoomService;

var builder = WebApplication.CreateBuilder(args);
builder.AddRoomService();

var app = builder.Build();
app.MapRoomService();
app.Run();
