using LiveIm.Hosting.Configuration;
using LiveIm.RoomGateway;

return LiveImHost.Run(args, "RoomGateway", builder => builder.AddRoomGateway(), app => app.MapRoomGateway());
