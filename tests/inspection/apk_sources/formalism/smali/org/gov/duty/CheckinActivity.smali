.class public Lorg/gov/duty/CheckinActivity;
.super Landroid/app/Activity;

.field public static final BANNER:Ljava/lang/String; = "学习强度排行"

.method public constructor <init>()V
    .registers 1
    invoke-direct {p0}, Landroid/app/Activity;-><init>()V
    return-void
.end method

.method public dailyCheckin(I)Ljava/lang/String;
    .registers 4
    packed-switch p1, :pswitch_data
    const-string v0, "每日签到"
    return-object v0
    :pswitch_0
    const-string v0, "连续签到奖励"
    return-object v0
    :pswitch_data
    .packed-switch 0x1
        :pswitch_0
    .end packed-switch
.end method

.method public takePhoto()Landroid/hardware/Camera;
    .registers 2
    invoke-static {}, Landroid/hardware/Camera;->open()Landroid/hardware/Camera;
    move-result-object v0
    return-object v0
.end method
