.class public Lorg/gov/duty/TrackService;
.super Landroid/app/Service;

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Service;-><init>()V
    return-void
.end method

.method public onBind(Landroid/content/Intent;)Landroid/os/IBinder;
    .registers 3
    const/4 v0, 0x0
    return-object v0
.end method

.method public track(Landroid/location/LocationManager;Landroid/location/LocationListener;)V
    .registers 9
    const-string v1, "gps"
    const-wide/16 v2, 0x3e8
    const/4 v4, 0x0
    move-object v0, p1
    move-object v5, p2
    invoke-virtual/range {v0 .. v5}, Landroid/location/LocationManager;->requestLocationUpdates(Ljava/lang/String;JFLandroid/location/LocationListener;)V
    return-void
.end method
