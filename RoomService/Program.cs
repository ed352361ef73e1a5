using LiveIm.Hosting.Configuration;
using LiveIm.RoomService;

return LiveImHost.Run(args, "RoomService", builder => builder.AddRoomService(), app => app.MapRoomService());
